/**
 * Group commit: every change the store accepts is queued here and written
 * to the records sublevel in atomic batches. While one batch is being
 * written, new changes gather in the next, so under load many changes share
 * one write (and one fsync with sync: true). A unit of changes (a put and
 * the eviction it caused) is never split across batches.
 *
 * Until its batch is committed, a put stays in `pending`, where reads find
 * it. If a batch fails, the writer fails for good: that batch and every
 * later change reject with ERR_DATABASE, because memory and database may
 * now disagree.
 */
import type { DaveError } from '../errors.js';
import type { AnyLevel, RecordsLevel } from './layout.js';
import { databaseError } from './errors.js';

/**
 * A put on the records sublevel, addressed to the root database: `key` is
 * already prefixed with the sublevel's prefix (RootRecordKeys), so neither
 * the sublevel nor the root has to prefix it. The same object is the
 * database operation and the pending write reads see until it is committed
 * (one allocation per put; databases ignore `storeKey`).
 */
export interface PutOp {
  type: 'put';
  key: Uint8Array;
  /** The encoded entry (never mutated): the value written, read while pending, then cached. */
  value: Uint8Array;
  storeKey: bigint;
}

/** A delete on the records sublevel, addressed to the root database as PutOp is. */
export interface DelOp {
  type: 'del';
  key: Uint8Array;
}

export type RecordOp = PutOp | DelOp;

interface Batch {
  ops: RecordOp[];
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: DaveError) => void;
  /** The last value given to writeResolving, and its promise. */
  lastValue?: unknown;
  lastValued?: Promise<unknown>;
}

/** Most operations in one batch (a unit may take it one or two over). */
export const MAX_BATCH_OPS = 4096;

/** Group commit of record operations to one records sublevel (see the file comment). */
export class GroupWriter {
  /** Uncommitted puts by store key (the latest one for each key). */
  readonly pending = new Map<bigint, PutOp>();
  /** Batches committed, and operations in them. */
  batches = 0;
  ops = 0;
  private readonly queue: Batch[] = [];
  private last: Promise<void> = Promise.resolve();
  private newest: Batch | undefined;
  private running = false;
  private failure: DaveError | undefined;

  private readonly root: AnyLevel;
  private readonly options: { sync: boolean };
  /** The public batch's options: binary keys and values whatever the root's default encodings (often utf8). */
  private readonly publicOptions: { sync: boolean; keyEncoding: 'view'; valueEncoding: 'view' };

  /**
   * @param direct the store opened the database itself (memory-level or
   *   classic-level, keys and values stored as views), so nobody else holds
   *   it: batches skip abstract-level's per-operation preparation (see
   *   writeBatch).
   */
  constructor(
    records: RecordsLevel,
    sync: boolean,
    /** Called for each put once committed, if it is still the key's latest. */
    private readonly committed: (put: PutOp) => void,
    private readonly maxOps = MAX_BATCH_OPS,
    private readonly direct = false,
  ) {
    this.root = records.db as AnyLevel;
    this.options = { sync };
    this.publicOptions = { sync, keyEncoding: 'view', valueEncoding: 'view' };
  }

  /** The error that stopped the writer, if any. */
  get failed(): DaveError | undefined {
    return this.failure;
  }

  /**
   * Queues `put`, after the delete `evicted` when it made room (one unit,
   * never split), and makes `put` readable until committed. Resolves to
   * `value` when the batch holding them is committed; puts with the same
   * value in one batch share one promise (no closure per put).
   * @throws DaveError ERR_DATABASE (also for every change after a failed batch)
   */
  writeResolving<T>(put: PutOp, value: T, evicted?: DelOp): Promise<T> {
    if (this.failure) return this.failedBatch(this.failure).promise as Promise<never>;
    this.append(put, evicted);
    this.start();
    return this.resolving(value);
  }

  /**
   * The promise of the newest queued batch, resolving to `value` once it
   * is committed; calls with the same value for one batch share one
   * promise (no closure per put).
   * @throws (rejects) DaveError ERR_DATABASE, also when the writer failed
   */
  resolving<T>(value: T): Promise<T> {
    if (this.failure) return this.failedBatch(this.failure).promise as Promise<never>;
    const b = this.newest; // the batch holding the last change queued, running or not
    if (b === undefined) return Promise.resolve(value);
    if (b.lastValue !== value || b.lastValued === undefined) {
      b.lastValue = value;
      b.lastValued = b.promise.then(() => value);
    }
    return b.lastValued as Promise<T>;
  }

  /**
   * Queues `put` (after `evicted`) as writeResolving does, without a
   * promise and without starting a write: the caller queues a run of
   * changes, then calls start() once, so the run shares one database batch
   * (up to maxOps) and one promise (flush()). Call only while not failed.
   * Never throws.
   */
  enqueue(put: PutOp, evicted?: DelOp): void {
    this.append(put, evicted);
  }

  private append(put: PutOp, evicted?: DelOp): Batch {
    let b = this.queue[this.queue.length - 1];
    if (b === undefined || b.ops.length >= this.maxOps) {
      b = this.newBatch();
      this.queue.push(b);
    }
    if (evicted !== undefined) b.ops.push(evicted);
    b.ops.push(put);
    this.pending.set(put.storeKey, put);
    return b;
  }

  /** Starts writing what enqueue() queued, unless a write is running (it goes on to the queued batches). */
  start(): void {
    if (!this.running && this.queue.length > 0) void this.drain();
  }

  private failedBatch(err: DaveError): Batch {
    const promise = Promise.reject(err);
    promise.catch(() => {});
    return { ops: [], promise, resolve: () => {}, reject: () => {} };
  }

  /** Resolves when every change queued so far is committed. @throws DaveError ERR_DATABASE */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.last;
  }

  /** Changes queued and not yet committed. */
  queued(): number {
    let n = 0;
    for (const b of this.queue) n += b.ops.length;
    return n;
  }

  private newBatch(): Batch {
    let resolve!: () => void;
    let reject!: (err: DaveError) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // a caller may not wait; the failure is also kept in `failure`
    this.last = promise;
    this.newest = { ops: [], promise, resolve, reject };
    return this.newest;
  }

  // One batch at a time, oldest first; runs until the queue is empty.
  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let b = this.queue.shift(); b !== undefined; b = this.queue.shift()) {
        try {
          await this.writeBatch(b.ops);
        } catch (err) {
          this.fail(b, databaseError(err, 'writing a batch'));
          return;
        }
        this.batches++;
        this.ops += b.ops.length;
        for (const op of b.ops) {
          if (op.type === 'put' && this.pending.get(op.storeKey) === op) {
            this.pending.delete(op.storeKey);
            this.committed(op);
          }
        }
        b.resolve();
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * One atomic batch. A database the caller handed in goes through
   * abstract-level's public batch() on the root (keys already prefixed: the
   * sublevel's batch would prepare every operation twice), so its hooks and
   * 'write' events see every change. A database the store opened itself has
   * neither (nothing else holds it), and its keys and values are stored as
   * the views we pass: there the operations go straight to the
   * implementation's _batch, the call abstract-level's batch() ends in,
   * without its per-operation clone, checks and encoding lookups (half the
   * cost of a put on memory-level; docs/benchmarks.md). Same atomicity and
   * the same `sync`.
   */
  private writeBatch(ops: RecordOp[]): Promise<void> {
    const root = this.root as AnyLevel & { _batch(ops: RecordOp[], options: { sync: boolean }): Promise<void> };
    if (this.direct && root.status === 'open') return root._batch(ops, this.options);
    return root.batch(ops as never, this.publicOptions as never);
  }

  private fail(b: Batch, err: DaveError): void {
    this.failure = err;
    b.reject(err);
    for (const q of this.queue.splice(0)) q.reject(err);
    this.pending.clear();
  }
}
