/**
 * The networks the interop suite runs its checks against, each started
 * once (godave activates a peer only after seconds) and all started at the
 * same time by the suite's root before hook. Our nodes listen on [::1]
 * with short timings of their own; godave's are fixed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dave } from '../../lib/node/dave.js';
import type { DaveOptions, Timings } from '../../lib/node/options.js';
import { GoNode } from './godave.js';

/** Our side's timings: quick to activate, but pinging no faster than a real peer would mind. */
export const INTEROP_TIMINGS: Partial<Timings> = {
  pingMs: 500,
  activateAfterMs: 1_000,
  deactivateAfterMs: 3_000,
  dropAfterMs: 12_000,
  getTimeoutMs: 5_000,
};

/** Everything started for the suite, ended by teardown(). */
export class Resources {
  readonly ours: Dave[] = [];
  private readonly dirs: string[] = [];

  tempDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'dave-interop-'));
    this.dirs.push(d);
    return d;
  }

  async ourNode(options: DaveOptions = {}): Promise<Dave> {
    const node = await Dave.open({ listen: '[::1]:0', verifyWorkers: 1, sync: false, ...options, timings: { ...INTEROP_TIMINGS, ...options.timings } });
    this.ours.push(node);
    return node;
  }

  async teardown(): Promise<void> {
    await Promise.allSettled(this.ours.splice(0).map((n) => n.close()));
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Every node of `ours` and `gos` has `n` active peers, within `ms`. */
export async function allActive(ours: Dave[], gos: GoNode[], n: number, ms: number): Promise<void> {
  const signal = AbortSignal.timeout(ms);
  await Promise.all([
    ...ours.map((o) =>
      o.waitForActivePeers(n, { signal }).catch(() => {
        throw new Error(`our node ${o.address()}: ${o.activePeerCount()} of ${n} peers active after ${ms} ms`);
      }),
    ),
    ...gos.map((g) => g.waitActive(n, ms)),
  ]);
}

/**
 * godave asks only peers that have been active for 5 s: a Go reader is
 * ready once a read of `key` (held elsewhere) succeeds; polled within `ms`.
 */
export async function goReaderReady(g: GoNode, pubHex: string, key: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const r = await g.get(pubHex, key, 1000);
    if (r.ok) return;
    last = r.text;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`godave node ${g.address} could not read ${key} within ${ms} ms: ${last}`);
}

/**
 * Polls `read()` (every 100 ms, within `ms`) until it reaches `target`;
 * returns the last value, which the caller compares exactly.
 */
export async function reach(read: () => Promise<number> | number, target: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let v = await read();
  while (v < target && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}
