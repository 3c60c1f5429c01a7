/**
 * The in-memory index of every stored entry: 256 shards by the top byte of
 * the store key (docs/protocol.md §9), the accounted space they use, and the eviction
 * step. The index holds no values; see cache.ts and the database for those.
 */
import { Shard, type SlotFields } from './shard.js';
import { admission, distanceWeight, priority } from './rules.js';
import type { IndexedEntry, RefusalCode } from './types.js';

/** Shards by the top byte of the store key (docs/protocol.md §9). */
export const SHARDS = 256;

/**
 * How far (ms) the clock may move from a shard's reference time before an
 * eviction decision re-ranks the shard. Within this bound the heap top is
 * the lowest priority at `ref`, at most REKEY_MS/1000 priority units (seconds
 * of remaining life) from the lowest at `now`.
 */
export const REKEY_MS = 1000;

/** Result of admitting a new key: its slot, and the evicted store key if any. */
export interface Admitted {
  slot: number;
  evicted?: bigint;
  evictedSize?: number;
}

// Splitting a u64 through a typed array allocates no intermediate bigints.
const U64 = new BigUint64Array(1);
const U32 = new Uint32Array(U64.buffer);
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LE ? 1 : 0;
const LO = LE ? 0 : 1;

/** Store key (any u64) → its 32-bit halves. */
export function halves(storeKey: bigint): [hi: number, lo: number] {
  U64[0] = storeKey;
  return [U32[HI]!, U32[LO]!];
}

/** The 256 shards, used space and count; decisions return codes, never throw. */
export class ShardedIndex {
  readonly shards: Shard[] = [];
  /** Accounted bytes of every indexed entry. */
  used = 0;
  /** Entries indexed. */
  count = 0;

  constructor(now: number) {
    for (let i = 0; i < SHARDS; i++) this.shards.push(new Shard(now));
  }

  shardOf(hi: number): Shard {
    return this.shards[hi >>> 24]!;
  }

  /** The index record of a store key, or undefined. */
  peek(storeKey: bigint): IndexedEntry | undefined {
    const [hi, lo] = halves(storeKey);
    const shard = this.shardOf(hi);
    const s = shard.find(hi, lo);
    if (s < 0) return undefined;
    return { storeKey, distance: shard.distance(s), time: shard.time[s]!, size: shard.size[s]! };
  }

  /** Replaces slot `s` of `shard` with `f`, adjusting the used space. */
  replace(shard: Shard, s: number, f: SlotFields): void {
    this.used += f.size - shard.size[s]!;
    shard.update(s, f);
  }

  /**
   * Admits an entry under a new key at `now` (docs/protocol.md §9): it fits, or the
   * shard's lowest-priority entry is evicted first, or it is refused.
   * Returns the refusal code instead of throwing, for the caller to count.
   */
  admit(f: SlotFields, now: number, capacity: number): Admitted | RefusalCode {
    const shard = this.shardOf(f.keyHi);
    let lowest = 0;
    let newPriority = 0;
    const full = this.used + f.size > capacity;
    if (full && shard.count > 0) {
      if (Math.abs(now - shard.ref) > REKEY_MS) shard.rekey(now);
      lowest = shard.priorityAt(shard.min(), now);
      newPriority = priorityOf(f, now);
    }
    const decision = admission({
      used: this.used,
      size: f.size,
      capacity,
      shardCount: shard.count,
      lowestPriority: lowest,
      newPriority,
    });
    if (decision !== 'fit' && decision !== 'evict') return decision;
    let out: Admitted = { slot: -1 };
    if (decision === 'evict') {
      const victim = shard.min();
      out = { slot: -1, evicted: shard.storeKey(victim), evictedSize: shard.size[victim]! };
      this.used -= shard.size[victim]!;
      this.count--;
      shard.remove(victim);
    }
    out.slot = shard.insert(f);
    this.used += f.size;
    this.count++;
    return out;
  }

  /** Indexes an entry read back from the database: no capacity check (see recover.ts). */
  restore(f: SlotFields): void {
    this.shardOf(f.keyHi).insert(f);
    this.used += f.size;
    this.count++;
  }

  /** Bytes held by the index's typed arrays. */
  byteLength(): number {
    let n = 0;
    for (const s of this.shards) n += s.byteLength();
    return n;
  }
}


function priorityOf(f: SlotFields, now: number): number {
  return priority(distanceWeight(f.distHi, f.distLo), f.time, now);
}
