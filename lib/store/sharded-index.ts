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

/** Entries evicted to make room: their index fields (the store key is in keyHi/keyLo). */
export type Victims = SlotFields[];

const NONE: Victims = Object.freeze([]) as unknown as Victims;

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

/** The high 32 bits of a u64; with loOf, halves() without an array (the per-record paths). */
export function hiOf(x: bigint): number {
  U64[0] = x;
  return U32[HI]!;
}

/** The low 32 bits of a u64. */
export function loOf(x: bigint): number {
  U64[0] = x;
  return U32[LO]!;
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
   * Admits an entry under a new key at `now` (docs/protocol.md §9): it fits,
   * or the shard's lowest-priority entries are evicted first, as many as it
   * takes, or it is refused. Returns the entries evicted (often none), or
   * the refusal code instead of throwing, for the caller to count. Used
   * space never exceeds `capacity` after an admission.
   */
  admit(f: SlotFields, now: number, capacity: number): Victims | RefusalCode {
    const shard = this.shardOf(f.keyHi);
    let victims = NONE;
    if (this.used + f.size > capacity) {
      const made = this.makeRoom(shard, f, now, capacity, this.used);
      if (typeof made === 'string') return made;
      victims = made;
    }
    shard.insert(f);
    this.used += f.size;
    this.count++;
    return victims;
  }

  /**
   * Replaces slot `s` of `shard` with `f`, evicting lower-priority entries
   * of the shard when the new entry is larger and the store would exceed
   * `capacity`. Returns the entries evicted, or the refusal code (then
   * nothing changed).
   */
  replaceWithin(shard: Shard, s: number, f: SlotFields, now: number, capacity: number): Victims | RefusalCode {
    const over = this.used + f.size - shard.size[s]! - capacity;
    if (over <= 0 || f.size <= shard.size[s]!) {
      this.replace(shard, s, f);
      return NONE;
    }
    const prev = shard.fields(s);
    this.replace(shard, s, f); // the slot now ranks at the new entry's priority: the walk stops at it
    const made = this.makeRoom(shard, f, now, capacity, this.used - f.size);
    if (typeof made === 'string') {
      this.replace(shard, shard.find(f.keyHi, f.keyLo), prev);
      return made;
    }
    return made;
  }

  /**
   * Evicts the shard's lowest-priority entries until `f` fits beside the
   * `others` bytes used by everything else, each step decided by the pure
   * rule `admission`; on a refusal every entry taken goes back and the
   * code is returned.
   */
  private makeRoom(shard: Shard, f: SlotFields, now: number, capacity: number, others: number): Victims | RefusalCode {
    if (f.size > capacity) return 'ERR_STORAGE_FULL';
    if (shard.count > 0 && Math.abs(now - shard.ref) > REKEY_MS) shard.rekey(now);
    const newPriority = priorityOf(f, now);
    const taken: SlotFields[] = [];
    let freed = 0;
    for (;;) {
      const decision = admission({
        used: others - freed,
        size: f.size,
        capacity,
        shardCount: shard.count,
        lowestPriority: shard.count > 0 ? shard.priorityAt(shard.min(), now) : 0,
        newPriority,
      });
      if (decision === 'fit') break;
      if (decision !== 'evict') {
        for (const v of taken) shard.insert(v);
        return decision;
      }
      const victim = shard.min();
      taken.push(shard.fields(victim));
      freed += shard.size[victim]!;
      shard.remove(victim);
    }
    this.used -= freed;
    this.count -= taken.length;
    return taken;
  }

  /** Takes the entry at store key (hi, lo) out of the index (undoing an admission). */
  removeKey(hi: number, lo: number): void {
    const shard = this.shardOf(hi);
    const s = shard.find(hi, lo);
    if (s < 0) return;
    this.used -= shard.size[s]!;
    this.count--;
    shard.remove(s);
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
