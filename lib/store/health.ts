/**
 * The store's health: whether its database accepts writes. A failed batch
 * makes the store degraded: writes are refused at once with
 * ERR_STORAGE_UNAVAILABLE (naming the cause and what to do), reads go on,
 * and a probe write is retried with backoff until the database accepts
 * writes again; then the store is ok. See docs/operations.md.
 */
import { DaveError } from '../errors.js';

/** What the store reports of its health (StoreLike.health). */
export interface StoreHealth {
  /** 'ok': writes are accepted; 'degraded': the database refuses writes, they fail with ERR_STORAGE_UNAVAILABLE. */
  status: 'ok' | 'degraded';
  /** When the status began (ms, the store's clock). */
  since: number;
  /** The last write failure, if any since open: what failed, its cause and what to do. */
  lastError: StorageFault | null;
  /** Batches that failed since open. */
  failures: number;
  /** Times the store recovered since open. */
  recoveries: number;
}

/** One write failure as the store reports it. */
export interface StorageFault {
  /** 'disk full', 'permissions', 'file limit' or 'I/O error'. */
  cause: StorageCause;
  /** The database's own message, e.g. "IO error: .../000005.log: No space left on device". */
  message: string;
  /** What an operator can do about it. */
  advice: string;
  /** When it happened (ms). */
  at: number;
}

export type StorageCause = 'disk full' | 'permissions' | 'file limit' | 'I/O error';

const ADVICE: Record<StorageCause, string> = {
  'disk full': 'free space on the disk that holds the data directory (or grow its filesystem)',
  permissions: "make the data directory writable by the node's user (and its filesystem not read-only)",
  'file limit': "raise the process's open-file limit (ulimit -n, LimitNOFILE=) or close idle connections",
  'I/O error': 'check the disk (dmesg, the filesystem); if the database is damaged, stop the node and run dave-db repair',
};

function messageOf(err: unknown): string {
  const e = err as { message?: unknown; cause?: { message?: unknown } } | null;
  const inner = typeof e?.cause?.message === 'string' ? e.cause.message : undefined;
  const outer = typeof e?.message === 'string' ? e.message : String(err);
  return inner && !outer.includes(inner) ? `${outer}: ${inner}` : outer;
}

/**
 * The cause of a failed write, read from the error's code and, for
 * LevelDB's LEVEL_IO_ERROR (which carries the OS error only as text), from
 * the OS error's name or text in its message. Only the advice depends on it.
 */
export function classifyFault(err: unknown, at: number): StorageFault {
  const message = messageOf(err);
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null);
  const codes = `${String(code?.code ?? '')} ${String(code?.cause?.code ?? '')}`;
  const text = `${codes} ${message}`;
  let cause: StorageCause = 'I/O error';
  if (/ENOSPC|EDQUOT|No space left|quota exceeded/i.test(text)) cause = 'disk full';
  else if (/EACCES|EPERM|EROFS|Permission denied|Read-only file system|Operation not permitted/i.test(text)) cause = 'permissions';
  else if (/EMFILE|ENFILE|Too many open files/i.test(text)) cause = 'file limit';
  return { cause, message, advice: ADVICE[cause], at };
}

/** ERR_STORAGE_UNAVAILABLE for `fault`, with the database's error as cause. */
export function unavailableError(fault: StorageFault, cause: unknown): DaveError {
  return new DaveError(
    'ERR_STORAGE_UNAVAILABLE',
    `not stored: the database refuses writes (${fault.cause}: ${fault.message}). ` +
      `The store retries by itself and resumes when the cause clears: ${fault.advice}.`,
    { cause },
  );
}

/** Backoff of the probe: from `minMs`, doubling, at most `maxMs`. */
export interface RetryOptions {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { minMs: 100, maxMs: 5000 };

/**
 * The health state and the probe loop. `probe` tries one write (and may
 * reopen the database first); it resolves when the database accepts writes.
 * `changed` hears every change of status (the node logs it).
 */
export class HealthMonitor {
  private state: StoreHealth;
  private error: DaveError | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delay: number;
  private stopped = false;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly now: () => number,
    private readonly probe: () => Promise<void>,
    private readonly retry: RetryOptions,
    private readonly changed: (health: StoreHealth) => void,
  ) {
    this.state = { status: 'ok', since: now(), lastError: null, failures: 0, recoveries: 0 };
    this.delay = retry.minMs;
  }

  /** The error writes get while degraded, else undefined. */
  get unavailable(): DaveError | undefined {
    return this.error;
  }

  snapshot(): StoreHealth {
    return { ...this.state, lastError: this.state.lastError && { ...this.state.lastError } };
  }

  /**
   * A batch failed with `err`: degraded (if not already), and the probe
   * loop starts. Returns the error to give the failed writes.
   */
  failed(err: unknown): DaveError {
    const fault = classifyFault(err, this.now());
    const e = unavailableError(fault, err);
    this.state.failures++;
    this.state.lastError = fault;
    if (this.error === undefined) {
      this.error = e;
      this.state.status = 'degraded';
      this.state.since = fault.at;
      this.delay = this.retry.minMs;
      this.schedule();
      this.changed(this.snapshot());
    } else {
      this.error = e; // the latest cause
    }
    return e;
  }

  /** Stops the probe loop (the store closes). */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return this.probing ?? Promise.resolve();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.probing = this.tryOnce().finally(() => (this.probing = undefined));
    }, this.delay);
    this.timer.unref?.();
  }

  private async tryOnce(): Promise<void> {
    try {
      await this.probe();
    } catch (err) {
      if (this.stopped) return;
      this.state.lastError = classifyFault(err, this.now());
      this.error = unavailableError(this.state.lastError, err);
      this.delay = Math.min(this.retry.maxMs, this.delay * 2);
      this.schedule();
      return;
    }
    if (this.stopped) return;
    this.error = undefined;
    this.state.status = 'ok';
    this.state.since = this.now();
    this.state.recoveries++;
    this.changed(this.snapshot());
  }
}
