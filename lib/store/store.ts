/**
 * The node's store (docs/protocol.md §9): an in-memory index of every entry in 256
 * priority-heap shards, a byte-bounded cache of values, and any
 * abstract-level database underneath that receives every change in atomic
 * group-committed batches. See docs/storage.md for the design.
 *
 *   put ──► rules (sync, against the index) ──► index + pending ──► GroupWriter ──► database
 *   get ──► index ──► pending | cache | database
 */
import { DaveError } from '../errors.js';
import { ENTRY_OVERHEAD, PUBKEY_LEN } from '../constants.js';
import { storeKey } from '../records/record.js';
import { type EntryBatch, REC_ACCEPT, REC_DROPPED } from '../records/entry-batch.js';
import { ready } from '../crypto/hash.js';
import {
  ENTRY_KEY_AT,
  ENTRY_KEY_LEN_AT,
  ENTRY_PUBKEY_AT,
  ENTRY_REPLICAS_END,
  checkEntry,
  decodeEntry,
  entryLayout,
  entryLength,
  writeEntry,
  type Entry,
  type EntryLayout,
} from '../wire/entry.js';
import { ValueCache } from './cache.js';
import { checkFormat, openDatabase, type OpenedDatabase } from './database.js';
import { databaseError } from './errors.js';
import { damagedError, isDamage } from './directory.js';
import { metaLevel, recordKey, recordsLevel, storeKeyOfRecord, type RecordsLevel } from './layout.js';
import { HealthMonitor, type StoreHealth } from './health.js';
import { isU64, resolveOptions, type ResolvedOptions } from './options.js';
import { recover, type OpenReport } from './recover.js';
import { replaceDecision, type StoredFacts } from './rules.js';
import { contentSum, ownerHi, ownerLo, scannedStoreKey } from './scan.js';
import type { Shard, SlotFields } from './shard.js';
import { halves, hiOf, loOf, ShardedIndex, type Victims } from './sharded-index.js';
import { ownerStoreKeys, type OwnerKeys } from './owner-scan.js';
import type { BatchPutResult, IndexedEntry, Lookup, PutResult, RefusalCode, StoreLike, StoreOptions } from './types.js';
import { GroupWriter, type DelOp, type PutOp, type RecordOp } from './writer.js';

export type { OpenReport } from './recover.js';
export type { StoreHealth } from './health.js';

/** Counters since the store was opened. */
export interface StoreStats {
  /** Entries stored under a new key. */
  stored: number;
  /** Entries that replaced the entry under their key. */
  replaced: number;
  /** Entries evicted to make room. */
  evicted: number;
  /** Refused writes by code. */
  refused: Record<RefusalCode, number>;
  /** Records skipped at open because they do not decode or sit under the wrong key. */
  corruptOnOpen: number;
  cacheHits: number;
  cacheMisses: number;
  /** Bytes charged to the value cache, and entries in it. */
  cacheBytes: number;
  cachedEntries: number;
  /** Batches committed to the database, and operations in them. */
  batches: number;
  batchedOps: number;
  /** Bytes of the in-memory index (typed arrays, including spare room). */
  indexBytes: number;
}

const REFUSAL_MESSAGES: Record<RefusalCode, string> = {
  ERR_PUBKEY_MISMATCH: "public keys don't match",
  ERR_OLDER_THAN_STORED: 'existing data is newer',
  ERR_DUPLICATE: 'existing data matches new data',
  ERR_INSUFFICIENT_PRIORITY: 'insufficient priority',
  ERR_STORAGE_FULL: 'storage full',
};

const SCAN_BATCH = 1000;

/** The probe write while degraded: a value of this size put and deleted in one batch (it leaves nothing). */
const PROBE_BYTES = 64 * 1024;
const PROBE_KEY = 'probe';

// Shared results: most puts resolve to one of these (frozen: callers share them).
const STORED: PutResult = Object.freeze({ outcome: 'stored' as const });
const REPLACED: PutResult = Object.freeze({ outcome: 'replaced' as const });

function closedError(): DaveError {
  return new DaveError('ERR_CLOSED', 'the store is closed');
}


function sameRange(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Value length of encoded Entry bytes (after the key; docs/protocol.md §4, §5). */
function storedValueLen(b: Uint8Array): number {
  const at = ENTRY_KEY_AT + b[ENTRY_KEY_LEN_AT]!;
  return b[at]! | (b[at + 1]! << 8);
}

/** Same tail of `len` bytes (the value). */
function sameTail(a: Uint8Array, b: Uint8Array, len: number): boolean {
  const da = a.length - len;
  const db = b.length - len;
  for (let i = 0; i < len; i++) if (a[da + i] !== b[db + i]) return false;
  return true;
}

/**
 * Store.lookup's answer: besides the index record, where the key was found
 * (its slot, or absent while the shard's insert count is `inserts`), so a
 * put() of that record need not probe the shard again.
 */
class Located implements Lookup {
  constructor(
    readonly storeKey: bigint,
    readonly indexed: IndexedEntry | undefined,
    readonly by: Store,
    private readonly slot: number,
    private readonly inserts: number,
  ) {}

  /** The key's slot in `shard` now (-1: absent): what was found, if it still holds, else a probe. */
  slotIn(shard: Shard, hi: number, lo: number): number {
    if (this.slot >= 0) return shard.holds(this.slot, hi, lo) ? this.slot : shard.find(hi, lo);
    return shard.inserts === this.inserts ? -1 : shard.find(hi, lo);
  }
}

/** The store. Create it with `Store.open(options)`. */
export class Store implements StoreLike {
  /** What opening found: records indexed, corrupt records skipped, time taken. */
  readonly openReport: OpenReport;
  private readonly options: ResolvedOptions;
  private readonly opened: OpenedDatabase;
  private readonly records: RecordsLevel;
  private readonly index: ShardedIndex;
  private readonly healthMonitor: HealthMonitor;
  /** A reopen of the database the store opened (while degraded), for reads to wait on. */
  private reopening: Promise<void> | undefined;
  private readonly cache: ValueCache;
  private readonly writer: GroupWriter;
  private readonly nodeHi: number;
  private readonly nodeLo: number;
  private readonly counters = {
    stored: 0,
    replaced: 0,
    evicted: 0,
    refused: {
      ERR_PUBKEY_MISMATCH: 0,
      ERR_OLDER_THAN_STORED: 0,
      ERR_DUPLICATE: 0,
      ERR_INSUFFICIENT_PRIORITY: 0,
      ERR_STORAGE_FULL: 0,
    } as Record<RefusalCode, number>,
  };
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    options: ResolvedOptions,
    opened: OpenedDatabase,
    records: RecordsLevel,
    index: ShardedIndex,
    report: OpenReport,
  ) {
    this.options = options;
    this.opened = opened;
    this.records = records;
    this.index = index;
    this.openReport = report;
    [this.nodeHi, this.nodeLo] = halves(options.nodeId);
    this.cache = new ValueCache(options.cacheCapacity);
    this.writer = new GroupWriter(records, options.sync, {
      committed: (p) => this.cache.set(p.storeKey, p.value),
      failed: (err, ops) => this.undo(err, ops),
    });
    this.healthMonitor = new HealthMonitor(options.now, () => this.probe(), options.retry, (h) => options.onHealth?.(h));
  }

  /**
   * Opens a store: opens or adopts the database, then rebuilds the index with
   * one scan (corrupt records are skipped and reported in `openReport`).
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_DATABASE_IN_USE (the directory
   *   is open in another process), ERR_DATABASE_CORRUPT (a directory of
   *   LevelDB files that is not a readable database: `dave-db repair`),
   *   ERR_DATABASE (not a Dave database, another format, a failure)
   */
  static async open(options?: StoreOptions): Promise<Store> {
    const o = resolveOptions(options);
    await ready(); // WASM xxhash64 for the keys of every record scanned (crypto/hash.ts)
    const opened = await openDatabase(o.database);
    try {
      await checkFormat(opened.db, true, opened.location ?? 'the given database');
      const records = recordsLevel(opened.db);
      const index = new ShardedIndex(o.now());
      const [hi, lo] = halves(o.nodeId);
      const report = await recover(records, index, hi, lo, o.capacity);
      return new Store(o, opened, records, index, report);
    } catch (err) {
      // Whatever the store opened it closes: its own database, or one handed in closed.
      if (opened.owned || opened.reopened) await opened.db.close().catch(() => {});
      // a damaged table or log file shows when the scan reads it: the repair advice
      const cause = err instanceof DaveError ? err.cause : err;
      const dir = opened.location ?? (opened.db as { location?: unknown }).location;
      if (typeof dir === 'string' && isDamage(cause)) throw damagedError(cause, dir);
      throw err;
    }
  }

  /**
   * Stores an entry (already verified by the caller) following docs/protocol.md §9, and
   * resolves once the change is committed to the database.
   * While the database refuses writes (health() degraded) every put fails
   * at once with ERR_STORAGE_UNAVAILABLE; a put whose batch fails rejects
   * with it too, and is taken back out of the index: nothing is
   * acknowledged that is not committed.
   * @throws DaveError ERR_PUBKEY_MISMATCH, ERR_OLDER_THAN_STORED, ERR_DUPLICATE,
   *   ERR_INSUFFICIENT_PRIORITY, ERR_STORAGE_FULL (refusals); ERR_INVALID_ARGUMENT,
   *   ERR_TOO_LARGE, ERR_BAD_TIME (an entry that does not encode); ERR_CLOSED;
   *   ERR_STORAGE_UNAVAILABLE
   * @param lookup this store's lookup() of the entry's store key, made
   *   earlier: its store key is used as given (not hashed again), and the
   *   index is not probed again while what it found still holds
   */
  put(entry: Entry, lookup?: Lookup): Promise<PutResult> {
    try {
      if (this.closed) throw closedError();
      const down = this.healthMonitor.unavailable;
      if (down) throw down;
      return this.apply(entry, lookup);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The entry for (pubKey, key), or undefined.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_CLOSED, ERR_DATABASE (a failed read)
   */
  get(pubKey: Uint8Array, key: Uint8Array): Promise<Entry | undefined> {
    try {
      return this.getByStoreKey(storeKey(pubKey, key));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The entry at a store key, or undefined: from the pending writes, the
   * cache, or the database.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_CLOSED, ERR_DATABASE (a failed read)
   */
  getByStoreKey(sk: bigint): Promise<Entry | undefined> {
    if (this.closed) return Promise.reject(closedError());
    if (!isU64(sk)) {
      return Promise.reject(new DaveError('ERR_INVALID_ARGUMENT', 'storeKey must be a u64 bigint'));
    }
    const [hi, lo] = halves(sk);
    if (this.index.shardOf(hi).find(hi, lo) < 0) return Promise.resolve(undefined);
    const found = this.writer.pending.get(sk)?.value ?? this.cache.get(sk);
    if (found !== undefined) return Promise.resolve(decodeEntry(found)); // a fresh Entry each time
    return this.readValue(sk, hi, lo);
  }

  /**
   * The stored form of the entry for (pubKey, key), its encoded Entry
   * (docs/protocol.md §5), or undefined: what a GET_ACK carries, without decoding
   * and encoding it again (the GET server answers from it). The bytes are
   * the store's own when they come from memory: read them, never write to them.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_CLOSED, ERR_DATABASE (a failed
   *   read, or a record that does not decode)
   */
  getBytes(pubKey: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined> {
    let sk: bigint;
    try {
      if (this.closed) throw closedError();
      sk = storeKey(pubKey, key);
    } catch (err) {
      return Promise.reject(err);
    }
    const found = this.bytesInMemory(sk);
    if (found !== null) return Promise.resolve(found);
    const [hi, lo] = halves(sk);
    return this.readStored(sk, hi, lo);
  }

  /**
   * getBytes() when memory has the answer, without a promise (the GET
   * server answers in the same turn): the stored form, or undefined when
   * nothing is stored; null when the bytes are only in the database (call
   * getBytes). Counts a cache hit or miss as getBytes does.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_CLOSED
   */
  memoryBytes(pubKey: Uint8Array, key: Uint8Array): Uint8Array | undefined | null {
    if (this.closed) throw closedError();
    return this.bytesInMemory(storeKey(pubKey, key));
  }

  private bytesInMemory(sk: bigint): Uint8Array | undefined | null {
    const [hi, lo] = halves(sk);
    if (this.index.shardOf(hi).find(hi, lo) < 0) return undefined;
    return this.writer.pending.get(sk)?.value ?? this.cache.get(sk) ?? null;
  }

  /** The in-memory index record at a store key, or undefined; never touches the database. */
  peek(sk: bigint): IndexedEntry | undefined {
    if (!isU64(sk)) return undefined;
    return this.index.peek(sk);
  }

  /**
   * peek() as a Lookup, for a put() of the record at `sk` that follows
   * (the node looks the key up before verifying, and stores after).
   */
  lookup(sk: bigint): Lookup {
    if (!isU64(sk)) return { storeKey: sk, indexed: undefined };
    const [hi, lo] = halves(sk);
    const shard = this.index.shardOf(hi);
    const s = shard.find(hi, lo);
    const indexed = s < 0 ? undefined : { storeKey: sk, distance: shard.distance(s), time: shard.time[s]!, size: shard.size[s]! };
    return new Located(sk, indexed, this, s, shard.inserts);
  }

  /**
   * Store keys of the entries whose owner ID (the public key's first 8
   * bytes, little-endian) is `ownerId`, ascending, after `after`, at most
   * `max`: from the in-memory index alone (owner-scan.ts), so a page of one
   * owner's records reads only its own entries.
   */
  ownerKeys(ownerId: bigint, after: bigint | undefined, max: number): OwnerKeys {
    const [hi, lo] = halves(ownerId);
    return ownerStoreKeys(this.index, (hi ^ this.nodeHi) >>> 0, (lo ^ this.nodeLo) >>> 0, after, max);
  }

  /**
   * Every stored entry in store-key order: first waits for queued writes,
   * then reads a snapshot of the database.
   * @throws DaveError ERR_CLOSED, ERR_DATABASE (a failed read)
   */
  async *entries(): AsyncGenerator<Entry> {
    if (this.closed) throw closedError();
    await this.flush();
    if (this.reopening) await this.reopening.catch(() => {});
    const it = this.records.iterator({ keyEncoding: 'view', valueEncoding: 'view' });
    try {
      for (;;) {
        let rows: [Uint8Array, Uint8Array][];
        try {
          rows = await it.nextv(SCAN_BATCH);
        } catch (err) {
          throw this.closed ? closedError() : databaseError(err, 'listing records');
        }
        if (rows.length === 0) return;
        for (const [key, value] of rows) {
          if (key.length !== 8 || this.peek(storeKeyOfRecord(key)) === undefined) continue;
          let entry: Entry;
          try {
            entry = decodeEntry(value);
          } catch {
            continue; // counted at open; never indexed
          }
          yield entry;
        }
      }
    } finally {
      await it.close().catch(() => {});
    }
  }

  /** Accounted bytes stored: the sum of len(value) + len(key) + 224. */
  usedSpace(): number {
    return this.index.used;
  }

  /** Configured capacity in bytes. */
  capacity(): number {
    return this.options.capacity;
  }

  /** Number of records. */
  count(): number {
    return this.index.count;
  }

  /** Whether the database accepts writes: ok or degraded, since when, the last failure (docs/operations.md). */
  health(): StoreHealth {
    return this.healthMonitor.snapshot();
  }

  /** Counters since open; see StoreStats. */
  stats(): StoreStats {
    const c = this.counters;
    return {
      stored: c.stored,
      replaced: c.replaced,
      evicted: c.evicted,
      refused: { ...c.refused },
      corruptOnOpen: this.openReport.corrupt,
      cacheHits: this.cache.hits,
      cacheMisses: this.cache.misses,
      cacheBytes: this.cache.size(),
      cachedEntries: this.cache.count(),
      batches: this.writer.batches,
      batchedOps: this.writer.ops,
      indexBytes: this.index.byteLength(),
    };
  }

  /**
   * Waits until every change queued so far is committed or failed (each
   * write's own promise says which). Never rejects.
   */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Flushes and closes (the database too, if the store opened it). Safe to
   * call twice: the second call returns the first call's promise.
   * @throws DaveError ERR_DATABASE when closing the database fails
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    await this.healthMonitor.stop();
    await this.writer.flush(); // failures were reported to the writes they failed
    await this.reopening?.catch(() => {});
    if (this.opened.owned && this.opened.db.status !== 'closed') {
      try {
        await this.opened.db.close();
      } catch (err) {
        throw databaseError(err, 'closing the database');
      }
    }
  }

  // The synchronous core of put: every decision is made here, against the
  // index, before anything is awaited, so puts apply in call order.
  private apply(entry: Entry, lookup: Lookup | undefined): Promise<PutResult> {
    // Encoded into its own exact-size buffer (not the codec's shared slab):
    // the database value, the pending read and the cache entry all share it.
    checkEntry(entry);
    const bytes = new Uint8Array(entryLength(entry));
    writeEntry(entry, bytes, 0);
    const dat = entry.dat;
    // The lookup's key (hashed once, by whoever looked it up), else from the
    // encoded bytes: the same xxhash64(pubKey ‖ key), without allocating.
    const sk = lookup === undefined ? scannedStoreKey(bytes, dat.key.length) : lookup.storeKey;
    if (!isU64(sk)) throw new DaveError('ERR_INVALID_ARGUMENT', 'lookup.storeKey must be a u64 bigint');
    const r = this.admit(bytes, sk, dat.time, dat.key.length, dat.value.length, lookup instanceof Located && lookup.by === this ? lookup : undefined);
    if (typeof r === 'string') throw this.refuse(r);
    this.writer.start();
    return this.writer.resolving(r);
  }

  /**
   * Stores the records of `batch` in state REC_ACCEPT (verified by the
   * caller), in order, following docs/protocol.md §9 as put() does, and
   * resolves once all of them are committed: one pass over the index, the
   * records' own bytes queued as they are (no re-encoding), one database
   * batch for the run (up to the writer's batch size). A record the rules
   * refuse is counted in the answer (and moved to REC_DROPPED), not thrown.
   * @throws (rejects) DaveError ERR_CLOSED; ERR_STORAGE_UNAVAILABLE (the
   *   database refuses writes: nothing of the batch is stored)
   */
  putBatch(batch: EntryBatch): Promise<BatchPutResult> {
    if (this.closed) return Promise.reject(closedError());
    const down = this.healthMonitor.unavailable;
    if (down) return Promise.reject(down);
    const result: BatchPutResult = { stored: 0, replaced: 0, evicted: 0, refused: null };
    const { state, entries, keys, times, keyLens, valueLens } = batch;
    for (let i = 0; i < state.length; i++) {
      if (state[i] !== REC_ACCEPT) continue;
      const r = this.admit(entries[i]!, keys[i]!, times[i]!, keyLens[i]!, valueLens[i]!);
      if (typeof r === 'string') {
        this.counters.refused[r]++;
        state[i] = REC_DROPPED;
        const refused = (result.refused ??= {});
        refused[r] = (refused[r] ?? 0) + 1;
      } else if (r === REPLACED) result.replaced++;
      else {
        result.stored++;
        if (r !== STORED) result.evicted += r.evicted?.length ?? 0;
      }
    }
    if (result.stored + result.replaced === 0) return Promise.resolve(result);
    this.writer.start();
    return this.writer.resolving(result);
  }

  /**
   * The encoded bytes at a store key when they are in memory (a pending
   * write or the cache), else undefined; never touches the database and
   * never counts as a cache hit. The bytes are the store's own: read them,
   * never write to them.
   */
  peekBytes(sk: bigint): Uint8Array | undefined {
    if (this.closed) return undefined;
    return this.writer.pending.get(sk)?.value ?? this.cache.peek(sk);
  }

  // Applies one encoded, verified entry to the index and queues its write
  // (not started: the caller starts the writer). Returns the put's result,
  // or the refusal's code with nothing changed. `at`: this store's lookup
  // of `sk`, which spares the probe while it holds.
  private admit(bytes: Uint8Array, sk: bigint, time: number, keyLen: number, valueLen: number, at?: Located): PutResult | RefusalCode {
    // the halves one at a time: destructuring an array per field pair was ~100 B of garbage per record
    const hi = hiOf(sk);
    const lo = loOf(sk);
    const sum = contentSum(bytes, valueLen);
    const f: SlotFields = {
      keyHi: hi,
      keyLo: lo,
      distHi: (ownerHi(bytes) ^ this.nodeHi) >>> 0,
      distLo: (ownerLo(bytes) ^ this.nodeLo) >>> 0,
      time,
      size: valueLen + keyLen + ENTRY_OVERHEAD,
      sumHi: hiOf(sum),
      sumLo: loOf(sum),
    };
    const shard = this.index.shardOf(hi);
    const slot = at === undefined ? shard.find(hi, lo) : at.slotIn(shard, hi, lo);
    const put: PutOp = { type: 'put', key: this.writer.dbKey(hi, lo), value: bytes, storeKey: sk };
    const now = this.options.now();
    if (slot >= 0) {
      const code = replaceDecision(this.storedFacts(shard, slot, sk, f, bytes, valueLen), time);
      if (code !== undefined) return code;
      const prev = shard.fields(slot);
      const victims = this.index.replaceWithin(shard, slot, f, now, this.options.capacity);
      if (typeof victims === 'string') return victims;
      put.prev = prev;
      this.cache.delete(sk);
      this.counters.replaced++;
      if (victims.length === 0) {
        this.writer.enqueue(put);
        return REPLACED;
      }
      return this.evicting(put, victims, 'replaced');
    }
    const victims = this.index.admit(f, now, this.options.capacity);
    if (typeof victims === 'string') return victims;
    this.counters.stored++;
    if (victims.length === 0) {
      this.writer.enqueue(put);
      return STORED;
    }
    return this.evicting(put, victims, 'stored');
  }

  // The deletes of the entries evicted for `put`, queued with it as one unit.
  private evicting(put: PutOp, victims: Victims, outcome: PutResult['outcome']): PutResult {
    put.victims = victims;
    const dels: DelOp[] = [];
    const keys: bigint[] = [];
    for (const v of victims) {
      const evicted = (BigInt(v.keyHi) << 32n) | BigInt(v.keyLo);
      this.cache.delete(evicted);
      this.writer.pending.delete(evicted);
      dels.push({ type: 'del', key: this.writer.dbKey(v.keyHi, v.keyLo) });
      keys.push(evicted);
    }
    this.counters.evicted += victims.length;
    this.writer.enqueue(put, dels);
    return { outcome, evicted: keys };
  }

  // A batch failed: its changes (and those of every batch after it) go back
  // out of the index, newest first, so memory matches the database again;
  // then the store is degraded until a probe write succeeds.
  private undo(err: unknown, ops: RecordOp[]): DaveError {
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      if (op.type !== 'put') continue;
      const [hi, lo] = halves(op.storeKey);
      this.cache.delete(op.storeKey);
      if (op.prev !== undefined) {
        const shard = this.index.shardOf(hi);
        this.index.replace(shard, shard.find(hi, lo), op.prev);
        this.counters.replaced--;
      } else {
        this.index.removeKey(hi, lo);
        this.counters.stored--;
      }
      for (const v of op.victims ?? []) {
        this.index.restore(v);
        this.counters.evicted--;
      }
    }
    return this.healthMonitor.failed(this.closed ? closedError() : err);
  }

  // While degraded: one write that leaves nothing behind. A database the
  // store opened is first reopened: after a failed write LevelDB's log may
  // end in a partial record, and records appended after it would be lost
  // when the log is replayed at the next open (a real full disk showed it);
  // reopening replays the log now and starts a new one. (A database handed
  // in is not the store's to reopen: docs/operations.md.)
  private async probe(): Promise<void> {
    if (this.opened.owned && !this.closed) {
      this.reopening = this.reopen();
      try {
        await this.reopening;
      } finally {
        this.reopening = undefined;
      }
    }
    await this.probeWrite();
  }

  private probeWrite(): Promise<void> {
    const meta = metaLevel(this.opened.db);
    return meta.batch(
      [
        { type: 'put', key: PROBE_KEY, value: new Uint8Array(PROBE_BYTES) },
        { type: 'del', key: PROBE_KEY },
      ],
      { sync: this.options.sync } as never,
    );
  }

  private async reopen(): Promise<void> {
    const db = this.opened.db;
    if (db.status === 'open') await db.close().catch(() => {});
    await db.open();
    await this.records.open(); // sublevels are not reopened with their parent
  }

  // Exact comparison of the bytes when the stored entry is at hand (pending
  // or cached); otherwise the owner ID and the content sum stand in for them.
  private storedFacts(shard: Shard, slot: number, sk: bigint, f: SlotFields, bytes: Uint8Array, valueLen: number): StoredFacts {
    const time = shard.time[slot]!;
    const known = this.writer.pending.get(sk)?.value ?? this.cache.peek(sk);
    if (known !== undefined) {
      return {
        samePubKey: sameRange(known, bytes, ENTRY_PUBKEY_AT, ENTRY_PUBKEY_AT + PUBKEY_LEN),
        time,
        sameContent:
          storedValueLen(known) === valueLen &&
          sameRange(known, bytes, 0, ENTRY_REPLICAS_END) && sameTail(known, bytes, valueLen),
      };
    }
    return {
      samePubKey: shard.distHi[slot] === f.distHi && shard.distLo[slot] === f.distLo,
      time,
      sameContent: shard.sumHi[slot] === f.sumHi && shard.sumLo[slot] === f.sumLo,
    };
  }

  // A read racing a reopen (while degraded) waits for it and tries once more.
  private async readRecord(sk: bigint): Promise<Uint8Array | undefined> {
    if (this.reopening) await this.reopening; // (no await otherwise: a read is issued before later writes)
    try {
      return await this.records.get(recordKey(sk));
    } catch (err) {
      if (this.closed || this.reopening === undefined) throw err;
      await this.reopening.catch(() => {});
      return await this.records.get(recordKey(sk));
    }
  }

  private refuse(code: RefusalCode): DaveError {
    this.counters.refused[code]++;
    return new DaveError(code, REFUSAL_MESSAGES[code]);
  }

  private async readValue(sk: bigint, hi: number, lo: number): Promise<Entry | undefined> {
    const bytes = await this.readStored(sk, hi, lo);
    return bytes === undefined ? undefined : decodeEntry(bytes); // readStored checked that it decodes
  }

  // A record's bytes from the database, checked to decode (entryLayout
  // accepts exactly what decodeEntry does), and cached when still the
  // indexed version (a write may have landed while we read).
  private async readStored(sk: bigint, hi: number, lo: number): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.readRecord(sk);
    } catch (err) {
      throw this.closed ? closedError() : databaseError(err, 'reading a record');
    }
    if (bytes === undefined) return undefined;
    if (!entryLayout(bytes, readLayout)) {
      let cause: unknown;
      try {
        decodeEntry(bytes);
      } catch (err) {
        cause = err;
      }
      throw new DaveError('ERR_DATABASE', `the record at store key ${sk} does not decode`, { cause });
    }
    const shard = this.index.shardOf(hi);
    const s = shard.find(hi, lo);
    if (s >= 0 && !this.writer.pending.has(sk) && shard.time[s] === readLayout.time) {
      const [sumHi, sumLo] = halves(contentSum(bytes, readLayout.valueLen));
      if (shard.sumHi[s] === sumHi && shard.sumLo[s] === sumLo) this.cache.set(sk, bytes.slice());
    }
    return bytes;
  }
}

/** readStored's scratch layout (read and used synchronously). */
const readLayout: EntryLayout = { time: 0, keyLen: 0, valueLen: 0 };
