/**
 * The proof-of-work worker thread (started by pow-pool.ts). For each job it
 * claims blocks of salt counters from the job's shared state until some
 * worker has found a solution in an earlier block, then reports the first
 * counter it found in its own blocks, or -1.
 *
 * Shared state (BigInt64Array over a SharedArrayBuffer):
 *   [0] next block to claim, [1] lowest block holding a solution (starts at
 *   2^63 - 1). Every block below [1] is searched to the end by whoever
 *   claimed it, so the lowest counter reported is the lowest counter that
 *   qualifies: the salt godave's sequential search finds.
 */
import { parentPort } from 'node:worker_threads';
import { searchWork } from '../crypto/work.js';

/** A job as pow-pool.ts posts it. */
export interface PowJob {
  id: number;
  sigHash: Uint8Array;
  difficulty: number;
  blockSize: number;
  state: SharedArrayBuffer;
}

/** A worker's answer to one job. */
export interface PowAnswer {
  id: number;
  /** First qualifying counter in the blocks this worker searched, or -1. */
  found: number;
}

/**
 * Runs one job against its shared state. Pure apart from the atomics.
 * Never throws.
 */
export function runJob(job: PowJob): PowAnswer {
  const st = new BigInt64Array(job.state);
  for (;;) {
    const block = Atomics.add(st, 0, 1n);
    if (block >= Atomics.load(st, 1)) return { id: job.id, found: -1 };
    const from = Number(block) * job.blockSize;
    const found = searchWork(job.sigHash, job.difficulty, from, job.blockSize);
    if (found >= 0) {
      // lower the shared "best block" to ours unless a lower one is there
      let cur = Atomics.load(st, 1);
      while (block < cur) {
        const prev = Atomics.compareExchange(st, 1, cur, block);
        if (prev === cur) break;
        cur = prev;
      }
      return { id: job.id, found };
    }
  }
}

parentPort?.on('message', (job: PowJob) => parentPort!.postMessage(runJob(job)));
