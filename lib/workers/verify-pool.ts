/**
 * Record verification that does not starve the event loop. A few
 * verifications per event-loop turn run inline; beyond that, Dats are
 * batched to worker threads, one per core
 * (up to 4), started on first need and unref'd. The queue is bounded:
 * `verify` rejects with ERR_OVERLOADED when it is full, so a flood cannot
 * exhaust memory. An urgent Dat (the answer to one of our own reads) jumps
 * the queue: it is verified inline even while workers are busy, at most
 * `inlinePerTurn` of them per millisecond (a budget by time, not by turn:
 * while datagrams keep arriving, one poll phase of the event loop can run
 * for many milliseconds without reaching setImmediate). The cheap checks
 * (records/precheckDat) run once, on the caller's thread, before a Dat
 * is queued, so junk never waits in the queue; the workers and the inline
 * path then check the signature alone. Lives in workers/ (not crypto/)
 * because it runs the checks of records/, above crypto in the import order.
 *
 * If a worker fails (it cannot start or load, or crashes), its batch is
 * verified inline and the pool verifies inline from then on; a batch that
 * cannot be posted (postMessage throws) is verified inline. A broken worker
 * must never turn valid records away.
 *
 * Nodes in one process share one pool per worker count (acquireVerifyPool),
 * so ten nodes in a test or a simulation do not start forty threads that
 * fight the event loop for the cores.
 */
import { availableParallelism } from 'node:os';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { MAX_CLOCK_SKEW_MS } from '../constants.js';
import { DaveError, type ErrorCode } from '../errors.js';
import type { Dat } from '../wire/dat.js';
import { checkSignature, precheckDat } from '../records/record.js';
import { signedHere } from '../records/provenance.js';
import { startWorkerThread } from './worker-args.js';
import { type EntryBatch, REC_ACCEPT, REC_DROPPED, REC_VERIFY } from '../records/entry-batch.js';
import { packBatch, packSignatures, packable } from './verify-batch.js';

/** A worker's answer for one Dat: null when valid. */
export type VerifyResult = null | { code: ErrorCode; message: string } | { code: null; name: string; message: string };

interface Pending {
  dat: Dat;
  now: number;
  skew: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface PoolWorker {
  worker: Worker;
  inFlight: Map<number, Pending[]>;
  /** The batch path's chunks on this worker, by message id. */
  chunks: Map<number, SignatureChunk>;
  load: number;
}

/** What verifyBatch resolves to: records dropped for a bad signature, and checks that threw (bugs, not bad records). */
export interface BatchVerdict {
  failed: number;
  errors: { name: string; message: string }[];
}

/** One verifyBatch call: its chunks still out, and its outcome so far. */
interface BatchJob {
  batch: EntryBatch;
  left: number;
  settled: boolean;
  verdict: BatchVerdict;
  resolve: (v: BatchVerdict) => void;
  reject: (err: unknown) => void;
}

/** A part of a BatchJob sent to one worker: the records' indices in the batch. */
interface SignatureChunk {
  job: BatchJob;
  idx: number[];
}

export interface VerifyPoolOptions {
  /** Worker threads; default min(4, cores). 0 verifies everything inline. */
  workers?: number;
  /** Inline verifications per event-loop turn before batching to workers; also the urgent ones per millisecond. Default 8. */
  inlinePerTurn?: number;
  /** Most Dats waiting or in flight; default 16384. */
  maxQueued?: number;
  /**
   * Starts one worker thread running `script` (verify-worker.js); default
   * `new Worker(script, options)` (through startWorkerThread, which takes
   * care of the flags). The seam for tests: a factory that keeps
   * the worker (to crash it mid-batch) or throws (a worker that cannot start).
   */
  startWorker?: (script: URL, options: WorkerOptions) => Worker;
}

const BATCH = 64;
/** Fewest records a verifyBatch sends to one worker: a batch is split across workers only in parts at least this large. */
const MIN_CHUNK = 16;

export class VerifyPool {
  private workerCount: number;
  private readonly inlinePerTurn: number;
  private readonly maxQueued: number;
  private readonly startWorker: (script: URL, options: WorkerOptions) => Worker;
  private workers: PoolWorker[] = [];
  private queue: Pending[] = [];
  private queued = 0;
  private inlineThisTurn = 0;
  private turnReset = false;
  private urgentSince = -Infinity;
  private urgentThisMs = 0;
  private flushScheduled = false;
  private nextId = 1;
  private closed = false;
  /** Dats made and signed in this process, not re-verified (records/provenance.ts). */
  madeHere = 0;

  constructor(options: VerifyPoolOptions) {
    this.workerCount = options.workers ?? Math.min(4, availableParallelism());
    this.inlinePerTurn = options.inlinePerTurn ?? 8;
    this.maxQueued = options.maxQueued ?? 16384;
    this.startWorker = options.startWorker ?? startWorkerThread;
  }

  /** Dats waiting or being verified. */
  get pending(): number {
    return this.queued;
  }

  /**
   * Verifies `dat` (docs/protocol.md §4). `urgent`: someone waits on this
   * one Dat (a read's answer): verified inline unless the urgent budget
   * (`inlinePerTurn` per millisecond) is spent, even when others are queued.
   * @throws (rejects) the DaveError of verifyDat; ERR_OVERLOADED when the
   *   queue is full; ERR_CLOSED when the pool closed
   */
  verify(dat: Dat, now: number, maxClockSkew = MAX_CLOCK_SKEW_MS, urgent = false): Promise<void> {
    if (this.closed) return Promise.reject(new DaveError('ERR_CLOSED', 'verify pool closed'));
    try {
      precheckDat(dat, { now, maxClockSkew }); // the cheap checks, once, before any queue
    } catch (err) {
      return Promise.reject(err);
    }
    if (signedHere(dat)) {
      // signed and solved by createDat in this process and unchanged since:
      // the signature need not be checked again
      this.madeHere++;
      return Promise.resolve();
    }
    if (urgent && this.urgentInline()) return signatureHere(dat);
    if (this.workerCount === 0 || !safePackable(dat) || (this.queued === 0 && this.inlineThisTurn < this.inlinePerTurn)) {
      this.inlineThisTurn++;
      this.scheduleTurnReset();
      return signatureHere(dat);
    }
    if (this.queued >= this.maxQueued) {
      return Promise.reject(new DaveError('ERR_OVERLOADED', 'verify queue full'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ dat, now, skew: maxClockSkew, resolve, reject });
      this.queued++;
      if (this.queue.length >= BATCH) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * The batch path (records/entry-batch.ts): checks the signature of every
   * record of `batch` in state REC_VERIFY (their cheap checks passed) and
   * moves each to REC_ACCEPT or REC_DROPPED. One hand-off per worker: the
   * Dats' wire bytes in one transferred buffer, answered with one bit per
   * Dat; inline instead when there are no workers, or when nothing is
   * queued and the batch fits this turn's inline budget.
   * @throws (rejects) ERR_CLOSED when the pool closed; ERR_OVERLOADED when
   *   the queue cannot take the batch (its states are left as they were)
   */
  verifyBatch(batch: EntryBatch): Promise<BatchVerdict> {
    if (this.closed) return Promise.reject(new DaveError('ERR_CLOSED', 'verify pool closed'));
    const idx: number[] = [];
    const state = batch.state;
    for (let i = 0; i < state.length; i++) if (state[i] === REC_VERIFY) idx.push(i);
    const verdict: BatchVerdict = { failed: 0, errors: [] };
    if (idx.length === 0) return Promise.resolve(verdict);
    if (this.workerCount === 0 || (this.queued === 0 && this.inlineThisTurn + idx.length <= this.inlinePerTurn)) {
      this.inlineThisTurn += idx.length;
      this.scheduleTurnReset();
      signaturesHere(batch, idx, verdict);
      return Promise.resolve(verdict);
    }
    if (this.queued + idx.length > this.maxQueued) {
      return Promise.reject(new DaveError('ERR_OVERLOADED', 'verify queue full'));
    }
    this.queued += idx.length;
    return new Promise((resolve, reject) => {
      const job: BatchJob = { batch, left: 0, settled: false, verdict, resolve, reject };
      const parts = Math.max(1, Math.min(this.workerCount, Math.floor(idx.length / MIN_CHUNK)));
      const size = Math.ceil(idx.length / parts);
      job.left = Math.ceil(idx.length / size);
      for (let s = 0; s < idx.length; s += size) this.sendChunk({ job, idx: idx.slice(s, s + size) });
    });
  }

  private scheduleTurnReset(): void {
    if (this.turnReset) return;
    this.turnReset = true;
    setImmediate(() => {
      this.inlineThisTurn = 0;
      this.turnReset = false;
    });
  }

  /** Posts `chunk` to a worker (counted in `queued` by verifyBatch), or checks it here when none can take it. */
  private sendChunk(chunk: SignatureChunk): void {
    const w = this.closed ? null : this.pickWorker();
    if (w === null) return this.chunkHere(chunk);
    const id = this.nextId++;
    w.chunks.set(id, chunk);
    w.load += chunk.idx.length;
    try {
      const sigs = packSignatures(chunk.job.batch, chunk.idx);
      w.worker.postMessage({ id, sigs }, [sigs.buffer as ArrayBuffer]);
    } catch {
      w.chunks.delete(id);
      w.load -= chunk.idx.length;
      this.chunkHere(chunk);
    }
  }

  /** Checks `chunk` on this thread and settles it. */
  private chunkHere(chunk: SignatureChunk): void {
    signaturesHere(chunk.job.batch, chunk.idx, chunk.job.verdict);
    this.chunkDone(chunk);
  }

  /** A chunk's states are set: uncount it, and resolve its job when it was the last. */
  private chunkDone(chunk: SignatureChunk): void {
    this.queued -= chunk.idx.length;
    const job = chunk.job;
    if (--job.left === 0 && !job.settled) {
      job.settled = true;
      job.resolve(job.verdict);
    }
  }

  /** A worker's answer to a chunk: bit k of `valid` for the chunk's k-th record. */
  private chunkAnswered(chunk: SignatureChunk, valid: Uint8Array, errors: { i: number; name: string; message: string }[]): void {
    const { job, idx } = chunk;
    const state = job.batch.state;
    for (let k = 0; k < idx.length; k++) {
      if ((valid[k >>> 3]! >>> (k & 7)) & 1) state[idx[k]!] = REC_ACCEPT;
      else {
        state[idx[k]!] = REC_DROPPED;
        job.verdict.failed++;
      }
    }
    for (const e of errors) job.verdict.errors.push({ name: e.name, message: e.message });
    this.chunkDone(chunk);
  }

  /** True (and counted) while this millisecond's urgent inline budget lasts. */
  private urgentInline(): boolean {
    const t = performance.now();
    if (t - this.urgentSince >= 1) {
      this.urgentSince = t;
      this.urgentThisMs = 0;
    }
    if (this.urgentThisMs >= this.inlinePerTurn) return false;
    this.urgentThisMs++;
    return true;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.workerCount === 0) return this.drainInline();
    while (this.queue.length > 0 && !this.closed) {
      const batch = this.queue.splice(0, BATCH);
      const w = this.pickWorker();
      if (w === null) {
        this.verifyInline(batch);
        continue;
      }
      const id = this.nextId++;
      w.inFlight.set(id, batch);
      w.load += batch.length;
      try {
        // one buffer, transferred: only the Dat's own fields cross, never the caller's object
        const packed = packBatch(batch);
        w.worker.postMessage({ id, packed }, [packed.buffer as ArrayBuffer]);
      } catch {
        // e.g. a DataCloneError: this batch cannot travel, verify it here
        // (flush runs in setImmediate, where a throw would end the process)
        w.inFlight.delete(id);
        w.load -= batch.length;
        this.verifyInline(batch);
      }
    }
  }

  /** The least loaded worker, starting one if due; null when none can start. */
  private pickWorker(): PoolWorker | null {
    if (this.workers.length < this.workerCount) {
      const least = this.workers.reduce<PoolWorker | null>((m, w) => (m === null || w.load < m.load ? w : m), null);
      if (least === null || least.load > 0) {
        try {
          return this.spawn();
        } catch {
          // a worker cannot start: make do with those running (inline if none)
          this.workerCount = this.workers.length;
        }
      }
    }
    // none running: a worker failed to start, or died (workerCount is 0 then)
    if (this.workers.length === 0) return null;
    return this.workers.reduce((m, w) => (w.load < m.load ? w : m));
  }

  private spawn(): PoolWorker {
    const worker = this.startWorker(new URL('./verify-worker.js', import.meta.url), {});
    worker.unref();
    const pw: PoolWorker = { worker, inFlight: new Map(), chunks: new Map(), load: 0 };
    worker.on('message', (msg: { id: number; results: VerifyResult[]; valid?: Uint8Array; errors?: { i: number; name: string; message: string }[] }) => {
      if (msg.valid !== undefined) {
        const chunk = pw.chunks.get(msg.id);
        if (!chunk) return;
        pw.chunks.delete(msg.id);
        pw.load -= chunk.idx.length;
        return this.chunkAnswered(chunk, msg.valid, msg.errors ?? []);
      }
      const batch = pw.inFlight.get(msg.id);
      if (!batch) return;
      pw.inFlight.delete(msg.id);
      pw.load -= batch.length;
      this.queued -= batch.length;
      batch.forEach((p, i) => {
        const r = msg.results[i];
        if (r === null) p.resolve();
        else if (r.code !== null) p.reject(new DaveError(r.code, r.message));
        else p.reject(Object.assign(new Error(r.message), { name: r.name }));
      });
    });
    worker.on('error', () => this.failWorker(pw));
    worker.on('exit', () => this.failWorker(pw));
    this.workers.push(pw);
    return pw;
  }

  /** Verifies everything queued on this thread (no workers to take it). */
  private drainInline(): void {
    const queue = this.queue;
    this.queue = [];
    this.verifyInline(queue);
  }

  /** Verifies `batch` (counted in `queued`) on this thread and settles it. */
  private verifyInline(batch: Pending[]): void {
    this.queued -= batch.length;
    for (const p of batch) {
      try {
        checkSignature(p.dat);
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  }

  /**
   * A worker died. During close() its batches are rejected; otherwise they
   * are verified inline, and so is everything after (workerCount 0).
   */
  private failWorker(pw: PoolWorker): void {
    if (!this.workers.includes(pw)) return;
    this.workers = this.workers.filter((w) => w !== pw);
    if (!this.closed) this.workerCount = 0;
    for (const batch of pw.inFlight.values()) {
      if (this.closed) {
        this.queued -= batch.length;
        for (const p of batch) p.reject(new DaveError('ERR_CLOSED', 'verify worker exited'));
      } else this.queue.unshift(...batch); // verified inline below, still counted in `queued`
    }
    pw.inFlight.clear();
    const chunks = [...pw.chunks.values()];
    pw.chunks.clear();
    for (const chunk of chunks) {
      if (!this.closed) this.chunkHere(chunk);
      else {
        this.queued -= chunk.idx.length;
        if (!chunk.job.settled) {
          chunk.job.settled = true;
          chunk.job.reject(new DaveError('ERR_CLOSED', 'verify worker exited'));
        }
      }
    }
    if (!this.closed) this.drainInline();
  }

  /** Rejects everything pending and stops the workers; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue) p.reject(new DaveError('ERR_CLOSED', 'verify pool closed'));
    this.queued -= this.queue.length;
    this.queue = [];
    const workers = this.workers;
    for (const w of workers) this.failWorker(w);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

/** checkSignature on this thread (precheckDat ran already), as a settled promise. */
function signatureHere(dat: Dat): Promise<void> {
  try {
    checkSignature(dat);
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Checks the signatures of records `idx` of `batch` on this thread, setting their states and counting into `verdict`. */
function signaturesHere(batch: EntryBatch, idx: readonly number[], verdict: BatchVerdict): void {
  const state = batch.state;
  for (const i of idx) {
    let ok = false;
    try {
      ok = batch.signatureValid(i);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      verdict.errors.push({ name: e.name, message: e.message });
    }
    if (ok) state[i] = REC_ACCEPT;
    else {
      state[i] = REC_DROPPED;
      verdict.failed++;
    }
  }
}

/** packable(), false when reading the Dat throws (checkSignature then rejects it inline). */
function safePackable(dat: Dat): boolean {
  try {
    return packable(dat);
  } catch {
    return false;
  }
}

const shared = new Map<number, { pool: VerifyPool; users: number }>();

/** A handle on a process-wide pool; release() it when done. */
export interface VerifyPoolHandle {
  verify(dat: Dat, now: number, maxClockSkew?: number, urgent?: boolean): Promise<void>;
  /**
   * VerifyPool.verifyBatch. Absent on a pool that does not check real
   * signatures (the simulator's stand-in crypto, node/parts.ts): the
   * intake then takes each record of a batch through verify().
   */
  verifyBatch?(batch: EntryBatch): Promise<BatchVerdict>;
  release(): Promise<void>;
  /** Verifications waiting or running on the pool (shared by every node of the process). */
  pending(): number;
}

/**
 * The process-wide pool with `workers` threads (default min(4, cores));
 * 0 gives an inline-only pool of one's own.
 */
export function acquireVerifyPool(workers = Math.min(4, availableParallelism())): VerifyPoolHandle {
  if (workers === 0) {
    const pool = new VerifyPool({ workers: 0 });
    return {
      verify: (d, n, s, u) => pool.verify(d, n, s, u),
      verifyBatch: (b) => pool.verifyBatch(b),
      release: () => pool.close(),
      pending: () => pool.pending,
    };
  }
  let slot = shared.get(workers);
  if (!slot) shared.set(workers, (slot = { pool: new VerifyPool({ workers }), users: 0 }));
  slot.users++;
  const s = slot;
  let released = false;
  return {
    verify: (d, n, k, u) => s.pool.verify(d, n, k, u),
    verifyBatch: (b) => s.pool.verifyBatch(b),
    pending: () => s.pool.pending,
    release: async () => {
      if (released) return;
      released = true;
      if (--s.users === 0) {
        if (shared.get(workers) === s) shared.delete(workers);
        await s.pool.close();
      }
    },
  };
}
