/**
 * The contract between the store (lib/store) and its users (the node,
 * dave-db). The node depends on this interface only, so the store's
 * internals can change and tests can substitute it.
 */
import type { Entry } from '../wire/entry.js';
import type { EntryBatch } from '../records/entry-batch.js';
import type { AnyLevel } from './layout.js';
import type { StoreHealth } from './health.js';

export type { StoreHealth, StorageFault, StorageCause } from './health.js';

/** What the store keeps in memory for every record (no value). */
export interface IndexedEntry {
  storeKey: bigint;
  /** Owner ID (first 8 bytes of pubKey, LE) XOR the store's node ID. */
  distance: bigint;
  /** Record time, ms. */
  time: number;
  /** Accounted size: value + key + 224. */
  size: number;
}

export interface StoreOptions {
  /**
   * A directory path (opens classic-level there, the embedded default) or
   * any abstract-level database instance (the store never closes one it
   * did not open). Default: an in-memory memory-level database.
   */
  database?: string | AnyLevel;
  /** Our node ID, for owner distance in the eviction priority. Default 0n. */
  nodeId?: bigint;
  /** Bytes of accounted size the store holds at most. Default 1 GiB. */
  capacity?: number;
  /** Bytes of values kept in memory. Default 64 MiB. */
  cacheCapacity?: number;
  /** fsync every batch (default true): acknowledged writes survive power loss. */
  sync?: boolean;
  /** Clock in ms (tests). Default Date.now. */
  now?: () => number;
  /**
   * After a failed write the store probes the database with backoff, from
   * `minMs` (default 100) doubling to `maxMs` (default 5000), until it
   * accepts writes again.
   */
  retry?: { minMs?: number; maxMs?: number };
  /** Hears every change of health (degraded, recovered): the node logs them. */
  onHealth?: (health: StoreHealth) => void;
}

/** Why a write was refused: the DaveError code it throws. */
export type RefusalCode =
  | 'ERR_PUBKEY_MISMATCH'
  | 'ERR_OLDER_THAN_STORED'
  | 'ERR_DUPLICATE'
  | 'ERR_INSUFFICIENT_PRIORITY'
  | 'ERR_STORAGE_FULL';

export interface PutResult {
  /** 'stored' for a new key, 'replaced' for an update of an existing one. */
  outcome: 'stored' | 'replaced';
  /** Store keys of the entries evicted to make room, if any (lowest priority first). */
  evicted?: bigint[];
}

/**
 * A store key looked up in the index (StoreLike.lookup): the index record
 * there, if any. Handed back to put() with the record of that key, it
 * spares the store hashing the key again, and probing the index again
 * while what it found still holds.
 */
export interface Lookup {
  readonly storeKey: bigint;
  readonly indexed: IndexedEntry | undefined;
}

export interface StoreLike {
  /**
   * Stores an entry (already verified by the caller) under
   * storeKey(pubKey, key), following docs/protocol.md §9. Resolves once the change is
   * committed to the database. `lookup`: this store's lookup() of the
   * entry's store key, made earlier (its store key is used as given).
   * @throws DaveError with a RefusalCode, or ERR_STORAGE_UNAVAILABLE (the
   *   database refuses writes; nothing was stored), ERR_CLOSED
   */
  put(entry: Entry, lookup?: Lookup): Promise<PutResult>;
  /** Optional (Store.lookup): peek() as a Lookup for put(); without it the node uses peek(). */
  lookup?(storeKey: bigint): Lookup;
  /** Whether the database accepts writes, and the last failure (optional: stores without one are always ok). */
  health?(): StoreHealth;
  /** The entry for (pubKey, key), or undefined. */
  get(pubKey: Uint8Array, key: Uint8Array): Promise<Entry | undefined>;
  /** The entry at a store key, or undefined. */
  getByStoreKey(storeKey: bigint): Promise<Entry | undefined>;
  /** The in-memory index record, synchronously, without touching the database. */
  peek(storeKey: bigint): IndexedEntry | undefined;
  /**
   * Store keys of one owner's entries (owner ID: the public key's first 8
   * bytes, LE), ascending, after `after`, at most `max`, without reading
   * the database; `more` when further keys follow.
   */
  ownerKeys(ownerId: bigint, after: bigint | undefined, max: number): { keys: bigint[]; more: boolean };
  /**
   * Optional, the batch path (Store.putBatch): stores the verified records
   * of a batch in one pass; without it the node stores them one by one with put().
   */
  putBatch?(batch: EntryBatch): Promise<BatchPutResult>;
  /**
   * Optional (Store.getBytes): the stored form (encoded Entry) of the entry
   * for (pubKey, key), or undefined; the GET server answers from it. Without
   * it the node encodes get()'s entry.
   */
  getBytes?(pubKey: Uint8Array, key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Optional (Store.memoryBytes): getBytes' answer when memory has it, without a promise; null when only the database has it. */
  memoryBytes?(pubKey: Uint8Array, key: Uint8Array): Uint8Array | undefined | null;
  /** Optional (Store.peekBytes): a record's stored bytes when they are in memory. */
  peekBytes?(storeKey: bigint): Uint8Array | undefined;
  /** Every stored entry (values read from cache or database), in store-key order. */
  entries(): AsyncIterable<Entry>;
  /** Accounted bytes stored. */
  usedSpace(): number;
  /** Configured capacity in bytes. */
  capacity(): number;
  /** Number of records. */
  count(): number;
  /** Waits until every queued change is committed. */
  flush(): Promise<void>;
  /** Flushes and closes; safe to call twice. */
  close(): Promise<void>;
}

/** What Store.putBatch did with the records it was given. */
export interface BatchPutResult {
  /** Records stored under a new key (`evicted` of them made room by evicting one). */
  stored: number;
  replaced: number;
  evicted: number;
  /** Refusals by code, or null when none. */
  refused: Partial<Record<RefusalCode, number>> | null;
}
