/**
 * One owner's store keys from the in-memory index, in store-key order,
 * without touching the database: what a paged listing of one owner's
 * records reads first, so that it then reads only the page's entries.
 *
 * The index's shards are ordered by the top byte of the store key, so the
 * scan starts at the cursor's shard and stops after the shard in which it
 * has found `max + 1` keys; within a shard it keeps only the smallest
 * `max + 1`. Memory is O(max); time is the shards scanned (typed-array
 * compares, about 1/256 of the index each). Pure: no clock, no I/O.
 */
import type { ShardedIndex } from './sharded-index.js';

export interface OwnerKeys {
  /** At most `max` store keys, ascending. */
  keys: bigint[];
  /** More keys of the owner follow the last one. */
  more: boolean;
}

/** The top byte of a u64 store key. */
function shardNumber(sk: bigint): number {
  return Number(sk >> 56n);
}

/**
 * Store keys after `after` (exclusive; undefined: from the start) of the
 * entries whose owner distance halves are (distHi, distLo), at most `max`.
 */
export function ownerStoreKeys(index: ShardedIndex, distHi: number, distLo: number, after: bigint | undefined, max: number): OwnerKeys {
  const need = max + 1;
  const out: bigint[] = [];
  for (let n = after === undefined ? 0 : shardNumber(after); n < index.shards.length && out.length < need; n++) {
    const shard = index.shards[n]!;
    const { distHi: dh, distLo: dl, count } = shard;
    let found: bigint[] = [];
    for (let s = 0; s < count; s++) {
      if (dl[s] !== distLo || dh[s] !== distHi) continue;
      const sk = shard.storeKey(s);
      if (after !== undefined && sk <= after) continue;
      found.push(sk);
      if (found.length >= 2 * need) found = smallest(found, need);
    }
    out.push(...smallest(found, need - out.length));
  }
  return { keys: out.slice(0, max), more: out.length > max };
}

function smallest(keys: bigint[], n: number): bigint[] {
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.length > n ? keys.slice(0, n) : keys;
}
