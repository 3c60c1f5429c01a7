/**
 * The Go reference, measured in the same run as our figures: the real
 * godave v0.0.51 node of ../shared/godave (or $DAVE_GO_NODE), whose `bench`
 * mode prints single-goroutine rates of godave's own code, one
 * `name ops/s` a line, and whose `backup`/`restore` modes time godave's
 * restore of its backup file. Absent binary: undefined, and the caller
 * prints its figures without Go columns (with a note).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // dist/benchmarks
/** Path of the Go node: $DAVE_GO_NODE, else ../shared/godave/godave-node beside the checkout. */
export const GO_NODE = process.env.DAVE_GO_NODE ?? resolve(here, '../../../shared/godave/godave-node');

let warned = false;
function present(): boolean {
  if (existsSync(GO_NODE)) return true;
  if (!warned) process.stderr.write(`  no Go node at ${GO_NODE}: Go columns skipped (set DAVE_GO_NODE)\n`);
  warned = true;
  return false;
}

/**
 * Rates from `godave-node bench NAME...` (names: sign+work, verify,
 * encode-put, decode-put, store-write, store-read), ops/s by name; undefined
 * when the Go node is absent or fails.
 */
export function goBench(names: string[]): Record<string, number> | undefined {
  if (!present()) return undefined;
  const res = spawnSync(GO_NODE, ['bench', ...names], { encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0) {
    process.stderr.write(`  Go bench failed (${res.status ?? res.signal}): ${res.stderr}\n`);
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const line of res.stdout.split('\n')) {
    const [name, rate] = line.trim().split(/\s+/);
    if (name && Number.isFinite(Number(rate))) out[name] = Number(rate);
  }
  return out;
}

/**
 * godave's restore rate, records/s: a backup file of `n` records written by
 * the Go node, then loaded as godave's store does at startup (it re-verifies
 * every record). Undefined when the Go node is absent or fails.
 */
export function goRestoreRate(n: number): number | undefined {
  if (!present()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'dave-gobackup-'));
  try {
    const file = join(dir, 'backup');
    const made = spawnSync(GO_NODE, ['backup', file, String(n)], { encoding: 'utf8', timeout: 300_000 });
    if (made.status !== 0) return undefined;
    const res = spawnSync(GO_NODE, ['restore', file], { encoding: 'utf8', timeout: 300_000 });
    // RESTORE entries <n> used <bytes> seconds <s> err <error or ->
    const f = res.stdout.trim().split(/\s+/);
    if (res.status !== 0 || f[0] !== 'RESTORE' || Number(f[2]) !== n || f[8] !== '-') return undefined;
    return n / Number(f[6]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
