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

/** A put whose value reads must see until it is committed. */
export interface PendingPut {
  storeKey: bigint;
  /** The encoded entry, also the value written (never mutated). */
  bytes: Uint8Array;
}

/**
 * An operation on the records sublevel, addressed to the root database: `key`
 * is already prefixed with the sublevel's prefix (RecordKeys.of), so neither
 * the sublevel nor the root has to prefix it.
 */
export type RecordOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

interface Batch {
  ops: RecordOp[];
  puts: PendingPut[];
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
  readonly pending = new Map<bigint, PendingPut>();
  /** Batches committed, and operations in them. */
  batches = 0;
  ops = 0;
  private readonly queue: Batch[] = [];
  private last: Promise<void> = Promise.resolve();
  private running = false;
  private failure: DaveError | undefined;

  private readonly root: AnyLevel;
  private readonly options: { sync: boolean };

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
    private readonly committed: (put: PendingPut) => void,
    private readonly maxOps = MAX_BATCH_OPS,
    private readonly direct = false,
  ) {
    this.root = records.db as AnyLevel;
    this.options = { sync };
  }

  /** The error that stopped the writer, if any. */
  get failed(): DaveError | undefined {
    return this.failure;
  }

  /**
   * Queues `ops` as one unit, and `put` as readable until committed.
   * Resolves when the batch holding them is committed.
   * @throws DaveError ERR_DATABASE (also for every change after a failed batch)
   */
  write(ops: RecordOp[], put?: PendingPut): Promise<void> {
    return this.enqueue(ops, put).promise;
  }

  /**
   * As write(), resolving to `value`. Puts with the same value in one batch
   * share one promise (no closure per put on the hot path).
   * @throws DaveError ERR_DATABASE
   */
  writeResolving<T>(ops: RecordOp[], put: PendingPut, value: T): Promise<T> {
    const b = this.enqueue(ops, put);
    if (b.lastValue !== value || b.lastValued === undefined) {
      b.lastValue = value;
      b.lastValued = b.promise.then(() => value);
    }
    return b.lastValued as Promise<T>;
  }

  private enqueue(ops: RecordOp[], put?: PendingPut): Batch {
    if (this.failure) return this.failedBatch(this.failure);
    let b = this.queue[this.queue.length - 1];
    if (b === undefined || b.ops.length >= this.maxOps) {
      b = this.newBatch();
      this.queue.push(b);
    }
    for (const op of ops) b.ops.push(op);
    if (put) {
      b.puts.push(put);
      this.pending.set(put.storeKey, put);
    }
    if (!this.running) void this.drain();
    return b;
  }

  private failedBatch(err: DaveError): Batch {
    const promise = Promise.reject(err);
    promise.catch(() => {});
    return { ops: [], puts: [], promise, resolve: () => {}, reject: () => {} };
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
    return { ops: [], puts: [], promise, resolve, reject };
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
        for (const p of b.puts) {
          if (this.pending.get(p.storeKey) === p) {
            this.pending.delete(p.storeKey);
            this.committed(p);
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
    return root.batch(ops as never, this.options as never);
  }

  private fail(b: Batch, err: DaveError): void {
    this.failure = err;
    b.reject(err);
    for (const q of this.queue.splice(0)) q.reject(err);
    this.pending.clear();
  }
}
