/**
 * Proof of work on worker threads, for difficulties where a search takes
 * long enough to block the event loop (2^16 tries and up). One worker per
 * core, started on first use; every job goes to every worker, which claim
 * disjoint blocks of salt counters from a shared counter until one finds a
 * solution (pow-worker.ts). The lowest qualifying counter wins, so the
 * result is the salt godave's sequential search finds. Idle workers are
 * unref()ed and never keep the process alive; busy ones do, as any pending
 * I/O would. If workers cannot run (no compiled pow-worker.js, a crash),
 * searches fall back, for the rest of the process, to the main thread in
 * slices that yield to the event loop; powPoolSize() is then 0.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { blake3 } from '../crypto/hash.js';
import type { PowAnswer, PowJob } from './pow-worker.js';
import { saltOf, searchWork, workOf } from '../crypto/work.js';
import { startWorkerThread } from './worker-args.js';

/** Difficulty (bits) from which createDat searches off the main thread. */
export const PARALLEL_WORK_FROM = 16;

/** Salt counters a worker claims at a time (~1 ms of hashing). */
const BLOCK_SIZE = 4096;
const NO_BLOCK = (1n << 63n) - 1n;

interface PendingJob {
  job: PowJob;
  waiting: number;
  best: number;
  resolve: (counter: number) => void;
  reject: (err: unknown) => void;
}

let workers: Worker[] = [];
const pending = new Map<number, PendingJob>();
let nextId = 1;
let workersBroken = false;

function start(): Worker[] {
  if (workers.length > 0 || workersBroken) return workers;
  const n = Math.max(1, availableParallelism());
  try {
    for (let i = 0; i < n; i++) {
      const w = startWorkerThread(new URL('./pow-worker.js', import.meta.url));
      w.on('message', onAnswer);
      w.on('error', () => onFailure());
      w.on('exit', () => {
        if (workers.includes(w)) onFailure(); // died other than by closePowPool
      });
      workers.push(w);
    }
  } catch {
    onFailure();
  }
  return workers;
}

function onAnswer(a: PowAnswer): void {
  const p = pending.get(a.id);
  if (!p) return;
  if (a.found >= 0 && (p.best < 0 || a.found < p.best)) p.best = a.found;
  if (--p.waiting > 0) return;
  pending.delete(a.id);
  idleCheck();
  p.resolve(p.best);
}

/** A worker failed: stop the pool and finish every pending job inline. */
function onFailure(): void {
  workersBroken = true;
  const old = workers;
  workers = [];
  for (const w of old) void w.terminate();
  const jobs = [...pending.values()];
  pending.clear();
  for (const p of jobs) {
    searchInline(p.job.sigHash, p.job.difficulty).then(p.resolve, p.reject);
  }
}

function idleCheck(): void {
  for (const w of workers) (pending.size > 0 ? w.ref() : w.unref());
}

/** The sliced main-thread search, yielding between slices of 4096 tries. */
async function searchInline(sigHash: Uint8Array, difficulty: number): Promise<number> {
  for (let from = 0; ; from += BLOCK_SIZE) {
    const c = searchWork(sigHash, difficulty, from, BLOCK_SIZE);
    if (c >= 0) return c;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function searchOnWorkers(sigHash: Uint8Array, difficulty: number): Promise<number> {
  const ws = start();
  if (ws.length === 0) return searchInline(sigHash, difficulty);
  const state = new SharedArrayBuffer(16);
  new BigInt64Array(state)[1] = NO_BLOCK;
  const job: PowJob = { id: nextId++, sigHash, difficulty, blockSize: BLOCK_SIZE, state };
  return new Promise<number>((resolve, reject) => {
    pending.set(job.id, { job, waiting: ws.length, best: -1, resolve, reject });
    idleCheck();
    for (const w of ws) w.postMessage(job);
  });
}

/**
 * Finds the salt godave would find for `sig` at `difficulty` bits, on the
 * worker threads, without blocking the event loop. Concurrent calls queue
 * and each uses every core in turn.
 * @throws nothing of its own (difficulty is checked by the caller, createDat)
 */
export async function solveWorkParallel(
  sig: Uint8Array,
  difficulty: number,
): Promise<{ salt: Uint8Array; work: Uint8Array }> {
  const sigHash = blake3(sig);
  const c = await searchOnWorkers(sigHash, difficulty);
  return { salt: saltOf(c), work: workOf(c, sigHash) };
}

/**
 * Workers currently started (0 before first use and after closePowPool).
 * Never throws.
 */
export function powPoolSize(): number {
  return workers.length;
}

/**
 * Terminates the workers; the next search starts new ones. Pending
 * searches finish on the main thread. Safe to call twice.
 * @throws nothing
 */
export async function closePowPool(): Promise<void> {
  const old = workers;
  workers = [];
  const jobs = [...pending.values()];
  pending.clear();
  await Promise.all(old.map((w) => w.terminate()));
  for (const p of jobs) searchInline(p.job.sigHash, p.job.difficulty).then(p.resolve, p.reject);
}
