/**
 * Group commit: every change the store accepts is queued here and written
 * to the records sublevel in atomic batches, through abstract-level's
 * public batch() of the root database: the same path for every database,
 * so hooks and 'write' events see every change. Each operation carries the
 * root's key for the record, the records sublevel's prefix (from its
 * public prefixKey()) and the 8-byte record key, built once with the put
 * (`dbKey`), and the batch names the binary encodings once for all of
 * them: abstract-level then has no sublevel to resolve and prefix per
 * operation, which cost about as much as the rest of its preparation
 * (docs/benchmarks.md, "The database call"). (The sublevel's own batch()
 * would prepare every operation twice, once for the sublevel and once for
 * the root, docs/storage.md.) While one batch is being written, new changes
 * gather in the next, so under load many changes share one write (and one
 * fsync with sync: true). A unit of changes (a put and the evictions it
 * caused) is never split across batches.
 *
 * Until its batch is committed, a put stays in `pending`, where reads find
 * it. If a batch fails, that batch and every batch queued after it are
 * rejected (nothing in them was acknowledged), `undo` hears their
 * operations so the store can take them back out of its index, and the
 * writer goes on: whether later writes are accepted is the store's health
 * decision (health.ts), not the writer's.
 */
import type { DaveError } from '../errors.js';
import type { RecordsLevel } from './layout.js';
import type { SlotFields } from './shard.js';

/**
 * A put on the records sublevel: the pending write reads see until it is
 * committed, and the database operation's key and value.
 */
export interface PutOp {
  type: 'put';
  /** The root database's key: the records prefix and the 8-byte record key (GroupWriter.dbKey). */
  key: Uint8Array;
  /** The encoded entry (never mutated): the value written, read while pending, then cached. */
  value: Uint8Array;
  storeKey: bigint;
  /** Undo: the index fields this put replaced, or undefined for a new key. */
  prev?: SlotFields;
  /** Undo: the entries evicted to make room for it (their deletes precede it). */
  victims?: SlotFields[];
}

/** A delete on the records sublevel (an eviction). */
export interface DelOp {
  type: 'del';
  /** As PutOp's key. */
  key: Uint8Array;
}

/**
 * What the root's batch() gets for each change: three fields only (it
 * clones every operation it is given, so the pending write's own fields
 * would cost it), one shape for puts and deletes (value undefined).
 */
interface DbOp {
  type: 'put' | 'del';
  key: Uint8Array;
  value: Uint8Array | undefined;
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

/** Most operations in one batch (a unit may take it a few over). */
export const MAX_BATCH_OPS = 4096;

/** What the writer tells its store. */
export interface WriterHooks {
  /** A put was committed and is still the key's latest. */
  committed(put: PutOp): void;
  /**
   * Batches failed with `err`: `ops` are their operations, oldest first.
   * Returns the error their writes reject with.
   */
  failed(err: unknown, ops: RecordOp[]): DaveError;
}

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
  /** The batch's options, which abstract-level applies to each operation: the records sublevel's encodings. */
  private readonly options: { sync: boolean; keyEncoding: 'view'; valueEncoding: 'view' };
  /** The records sublevel's prefix in the root database (the sublevel's own, never written to). */
  private readonly prefix: Uint8Array;

  constructor(
    private readonly records: RecordsLevel,
    sync: boolean,
    private readonly hooks: WriterHooks,
    private readonly maxOps = MAX_BATCH_OPS,
  ) {
    this.options = { sync, keyEncoding: 'view', valueEncoding: 'view' };
    this.prefix = records.prefixKey(new Uint8Array(0), 'view', false);
  }

  /**
   * The root database's key of the record at store key `hi`, `lo` (32-bit
   * halves): the records sublevel's prefix, then the 8-byte big-endian
   * record key (layout.recordKey), in one buffer.
   */
  dbKey(hi: number, lo: number): Uint8Array {
    const p = this.prefix.length;
    const k = new Uint8Array(p + 8);
    k.set(this.prefix, 0);
    k[p] = hi >>> 24;
    k[p + 1] = hi >>> 16;
    k[p + 2] = hi >>> 8;
    k[p + 3] = hi;
    k[p + 4] = lo >>> 24;
    k[p + 5] = lo >>> 16;
    k[p + 6] = lo >>> 8;
    k[p + 7] = lo;
    return k;
  }

  /**
   * Queues `put`, after the deletes `evicted` it made room with (one unit,
   * never split), and makes `put` readable until committed. Resolves to
   * `value` when the batch holding them is committed; puts with the same
   * value in one batch share one promise (no closure per put).
   * @throws DaveError what hooks.failed returns, when the batch fails
   */
  writeResolving<T>(put: PutOp, value: T, evicted?: DelOp[]): Promise<T> {
    this.append(put, evicted);
    this.start();
    return this.resolving(value);
  }

  /**
   * The promise of the newest queued batch, resolving to `value` once it
   * is committed; calls with the same value for one batch share one
   * promise (no closure per put).
   * @throws (rejects) DaveError what hooks.failed returns, when the batch fails
   */
  resolving<T>(value: T): Promise<T> {
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
   * (up to maxOps) and one promise (resolving()). Never throws.
   */
  enqueue(put: PutOp, evicted?: DelOp[]): void {
    this.append(put, evicted);
  }

  private append(put: PutOp, evicted?: DelOp[]): Batch {
    let b = this.queue[this.queue.length - 1];
    if (b === undefined || b.ops.length >= this.maxOps) {
      b = this.newBatch();
      this.queue.push(b);
    }
    if (evicted !== undefined) for (const d of evicted) b.ops.push(d);
    b.ops.push(put);
    this.pending.set(put.storeKey, put);
    return b;
  }

  /** Starts writing what enqueue() queued, unless a write is running (it goes on to the queued batches). */
  start(): void {
    if (!this.running && this.queue.length > 0) void this.drain();
  }

  /** Resolves when every change queued so far is committed or rejected (never rejects). */
  flush(): Promise<void> {
    return this.last.then(
      () => {},
      () => {},
    );
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
    promise.catch(() => {}); // a caller may not wait
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
          // The root's public batch: it runs hooks, emits 'write', and
          // writes the batch atomically.
          await this.records.db.batch(dbOps(b.ops), this.options as never);
        } catch (err) {
          this.fail(b, err);
          continue;
        }
        this.batches++;
        this.ops += b.ops.length;
        for (const op of b.ops) {
          if (op.type === 'put' && this.pending.get(op.storeKey) === op) {
            this.pending.delete(op.storeKey);
            this.hooks.committed(op);
          }
        }
        b.resolve();
      }
    } finally {
      this.running = false;
    }
  }

  // The failed batch and every one queued after it: all their changes go
  // back (hooks.failed undoes them, newest first), none was acknowledged.
  private fail(b: Batch, err: unknown): void {
    const later = this.queue.splice(0);
    const ops: RecordOp[] = [...b.ops];
    for (const q of later) for (const op of q.ops) ops.push(op);
    this.pending.clear();
    const e = this.hooks.failed(err, ops);
    b.reject(e);
    for (const q of later) q.reject(e);
  }
}

/** The database operations of `ops` (see DbOp). */
function dbOps(ops: readonly RecordOp[]): DbOp[] {
  const out = new Array<DbOp>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    out[i] = { type: op.type, key: op.key, value: op.type === 'put' ? op.value : undefined };
  }
  return out;
}
