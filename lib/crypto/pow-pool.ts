/**
 * Proof of work on worker threads, for difficulties where a search takes
 * long enough to block the event loop. PLACEHOLDER until the pool lands:
 * searches inline in slices, yielding to the event loop between slices.
 */
import { solveWork } from './work.js';

/** Difficulty (bits) from which createDat searches off the main thread. */
export const PARALLEL_WORK_FROM = 16;

export async function solveWorkParallel(
  sig: Uint8Array,
  difficulty: number,
): Promise<{ salt: Uint8Array; work: Uint8Array }> {
  const slice = 4096;
  for (let start = 0n; ; start += BigInt(slice)) {
    const r = solveWork(sig, difficulty, start, slice);
    if (r) return r;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
