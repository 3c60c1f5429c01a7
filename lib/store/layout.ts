/**
 * The on-disk layout of a Dave database, shared by the store and dave-db.
 *
 * Inside any abstract-level database:
 *   sublevel "records" (keys and values as Uint8Array, encoding 'view'):
 *     key   = the 8-byte store key, big-endian (so iteration runs in
 *             store-key order and each shard, the top byte, is one range)
 *     value = the Entry bytes (docs/protocol.md §5), readable by decodeEntry
 *   sublevel "meta" (utf8 keys, 'view' values):
 *     "format" = UTF-8 "dave-kv/1"
 */
import type { AbstractLevel, AbstractSublevel } from 'abstract-level';

export const RECORDS_SUBLEVEL = 'records';
export const META_SUBLEVEL = 'meta';
export const FORMAT_KEY = 'format';
export const FORMAT_VERSION = 'dave-kv/1';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLevel = AbstractLevel<any, any, any>;
export type RecordsLevel = AbstractSublevel<AnyLevel, any, Uint8Array, Uint8Array>;
export type MetaLevel = AbstractSublevel<AnyLevel, any, string, Uint8Array>;

/** The records sublevel of `db`, with binary keys and values. */
export function recordsLevel<D extends AnyLevel>(db: D): RecordsLevel {
  return db.sublevel<Uint8Array, Uint8Array>(RECORDS_SUBLEVEL, { keyEncoding: 'view', valueEncoding: 'view' });
}

/** The meta sublevel of `db`. */
export function metaLevel<D extends AnyLevel>(db: D): MetaLevel {
  return db.sublevel<string, Uint8Array>(META_SUBLEVEL, { keyEncoding: 'utf8', valueEncoding: 'view' });
}

/** Store key → 8-byte big-endian database key. */
export function recordKey(storeKey: bigint): Uint8Array {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setBigUint64(0, storeKey, false);
  return k;
}

/** 8-byte big-endian database key → store key. */
export function storeKeyOfRecord(key: Uint8Array): bigint {
  return new DataView(key.buffer, key.byteOffset, 8).getBigUint64(0, false);
}
