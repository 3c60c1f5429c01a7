/**
 * File descriptors, watched (Linux; elsewhere it does nothing). A node out
 * of descriptors does not crash: libuv accepts and at once closes the
 * connections it cannot keep, and LevelDB's writes fail into the store's
 * degraded mode (docs/storage.md). Both are silent about the cause, so
 * `dave start` says it: a warning at start when the soft limit is below what
 * the node's own caps can use, a warning when descriptors run out (once
 * per episode) and a line when they are back (docs/operations.md, "File
 * descriptors").
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * What a node can hold open at its caps: 128 inbound TCP connections, 64
 * API connections on TCP and 64 on the Unix socket, outbound replica
 * connections, and LevelDB's files, its log and lock, plus Node's own.
 */
export const FDS_NEEDED = 512;

/** How often the count is read, ms. */
export const FD_CHECK_MS = 2_000;

/** Share of the limit in use that counts as running out, and the share below which it is over. */
const HIGH = 0.9;
const LOW = 0.75;

/** The soft limit on open files ("Max open files" in /proc/self/limits), or null where unknown. */
export function fdLimit(limitsText?: string): number | null {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (!m) return null;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}

/** Descriptors open now; 'exhausted' when even listing them fails for want of one; null where unknown. */
export function openFds(): number | 'exhausted' | null {
  try {
    return readdirSync('/proc/self/fd').length - 1; // less the one the listing itself used
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? 'exhausted' : null;
  }
}

export interface FdLog {
  warn(msg: string): void;
  info(msg: string): void;
}

/** The start-up line when the limit is below FDS_NEEDED, or null. */
export function limitWarning(limit: number | null): string | null {
  if (limit === null || limit >= FDS_NEEDED) return null;
  return (
    `dave: the open-file limit is ${limit}, below the ${FDS_NEEDED} a node can use at its connection caps: ` +
    `past it, connections are dropped and the store cannot write; raise it (ulimit -n 4096, or LimitNOFILE=4096 under systemd)`
  );
}

/**
 * Reads the count every `everyMs` and logs the start and the end of an
 * episode of running out. The timer does not keep the process alive.
 * Returns a function that stops it.
 */
export function watchFds(log: FdLog, options: { limit?: number | null; everyMs?: number; count?: () => number | 'exhausted' | null } = {}): () => void {
  const limit = options.limit === undefined ? fdLimit() : options.limit;
  const count = options.count ?? openFds;
  if (limit === null || !Number.isFinite(limit)) return () => {};
  let out = false;
  const check = () => {
    const n = count();
    if (n === null) return;
    if (!out && (n === 'exhausted' || n >= HIGH * limit)) {
      out = true;
      const used = n === 'exhausted' ? `all ${limit}` : `${n} of ${limit}`;
      log.warn(
        `dave: ${used} file descriptors in use: new connections are being dropped and store writes may fail; ` +
          `find who holds connections open (ss -tnp), or raise the limit (ulimit -n, LimitNOFILE=)`,
      );
    } else if (out && n !== 'exhausted' && n < LOW * limit) {
      out = false;
      log.info(`dave: file descriptors back to ${n} of ${limit}`);
    }
  };
  const t = setInterval(check, options.everyMs ?? FD_CHECK_MS);
  t.unref();
  return () => clearInterval(t);
}
