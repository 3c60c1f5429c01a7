/**
 * One of the 256 shards of the in-memory index: every entry whose store key
 * has this top byte, kept compact in typed arrays (struct of arrays, about
 * 60 bytes an entry) with no per-entry JS object.
 *
 * - Slots 0..count-1 hold the entries densely; removing one moves the last
 *   slot into the hole.
 * - An open-addressing hash table (linear probing, backward-shift
 *   deletion) maps a store key to its slot; the low 32 bits of the store
 *   key (an xxhash64) are the hash.
 * - A binary min-heap of slots orders entries by `rank`, the priority
 *   computed at the shard's reference time `ref`.
 *
 * Heap invariant: for every heap node, rank[parent] <= rank[child], and
 * rank[s] === priority(weight(s), time[s], ref) for every slot s. Ranks are
 * never computed against a moving clock: `rekey(now)` moves `ref` and
 * recomputes every rank at that single instant, then rebuilds the heap.
 * So the heap top is exactly the lowest-priority entry at `ref`.
 */
import { distanceWeight, priority } from './rules.js';

const EMPTY = 0;
const MIN_SLOTS = 8;
/**
 * One zero-length array of each type shared by every empty shard: a node
 * has 256 shards of 12 arrays, and most stay empty (a simulated network of
 * 1,000 nodes otherwise holds 3 M empty typed arrays, 0.4 MiB of heap per
 * node that the garbage collector walks). A zero-length array cannot be
 * written; growing one replaces it.
 */
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U16 = new Uint16Array(0);
const EMPTY_F64 = new Float64Array(0);

/** The fields of one indexed entry, as 32-bit halves where they are u64. */
export interface SlotFields {
  keyHi: number;
  keyLo: number;
  distHi: number;
  distLo: number;
  time: number;
  size: number;
  /** xxhash64 of replicas ‖ value, to detect duplicates without the value. */
  sumHi: number;
  sumLo: number;
}

/** One shard of the index (see the file comment); methods never throw on valid slots. */
export class Shard {
  /** Entries in this shard. */
  count = 0;
  /** Keys inserted so far: while unchanged, a key found absent is still absent (Store.lookup). */
  inserts = 0;
  /** Reference time (ms) of every rank in the heap. */
  ref: number;

  keyHi: Uint32Array = EMPTY_U32;
  keyLo: Uint32Array = EMPTY_U32;
  distHi: Uint32Array = EMPTY_U32;
  distLo: Uint32Array = EMPTY_U32;
  time: Float64Array = EMPTY_F64;
  size: Uint16Array = EMPTY_U16;
  sumHi: Uint32Array = EMPTY_U32;
  sumLo: Uint32Array = EMPTY_U32;
  rank: Float64Array = EMPTY_F64;
  /** Heap position of each slot. */
  pos: Int32Array = EMPTY_I32;
  /** Slot at each heap position. */
  heap: Int32Array = EMPTY_I32;
  /** Hash table: slot + 1, or EMPTY. Length is a power of two. */
  table: Int32Array = EMPTY_I32;

  constructor(ref: number) {
    this.ref = ref;
  }

  /** Whether slot `s` holds store key (hi, lo): no probe (a slot found earlier, still valid?). */
  holds(s: number, hi: number, lo: number): boolean {
    return s < this.count && this.keyLo[s] === lo && this.keyHi[s] === hi;
  }

  /** The slot holding store key (hi, lo), or -1. */
  find(hi: number, lo: number): number {
    const table = this.table;
    if (table.length === 0) return -1;
    const mask = table.length - 1;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const t = table[i]!;
      if (t === EMPTY) return -1;
      const s = t - 1;
      if (this.keyLo[s] === lo && this.keyHi[s] === hi) return s;
    }
  }

  /** Adds an entry under a key that is not present; returns its slot. */
  insert(f: SlotFields): number {
    if (this.count === this.keyHi.length) this.growSlots();
    if ((this.count + 1) * 10 > this.table.length * 7) this.growTable();
    const s = this.count++;
    this.inserts++;
    this.write(s, f);
    this.tablePut(s);
    this.heap[s] = s;
    this.pos[s] = s;
    this.siftUp(s);
    return s;
  }

  /** Replaces the entry in slot `s` (same store key) and restores heap order. */
  update(s: number, f: SlotFields): void {
    this.write(s, f);
    this.fix(this.pos[s]!);
  }

  /** Removes the entry in slot `s`; the last slot moves into `s`. */
  remove(s: number): void {
    const p = this.pos[s]!;
    const lastPos = this.count - 1;
    const tail = this.heap[lastPos]!;
    this.tableDelete(s);
    this.count--;
    if (p !== lastPos) {
      this.place(p, tail);
      this.fix(p);
    }
    const lastSlot = this.count;
    if (s !== lastSlot) this.moveSlot(lastSlot, s);
  }

  /** The slot with the lowest rank, or -1 when empty. */
  min(): number {
    return this.count === 0 ? -1 : this.heap[0]!;
  }

  /** Priority of slot `s` at `now`. */
  priorityAt(s: number, now: number): number {
    return priority(distanceWeight(this.distHi[s]!, this.distLo[s]!), this.time[s]!, now);
  }

  /** Recomputes every rank at `now` (the new `ref`) and rebuilds the heap. */
  rekey(now: number): void {
    this.ref = now;
    const n = this.count;
    for (let s = 0; s < n; s++) this.rank[s] = this.priorityAt(s, now);
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The fields of slot `s` (a copy). */
  fields(s: number): SlotFields {
    return {
      keyHi: this.keyHi[s]!,
      keyLo: this.keyLo[s]!,
      distHi: this.distHi[s]!,
      distLo: this.distLo[s]!,
      time: this.time[s]!,
      size: this.size[s]!,
      sumHi: this.sumHi[s]!,
      sumLo: this.sumLo[s]!,
    };
  }

  /** Store key of slot `s`. */
  storeKey(s: number): bigint {
    return (BigInt(this.keyHi[s]!) << 32n) | BigInt(this.keyLo[s]!);
  }

  /** Owner distance of slot `s`. */
  distance(s: number): bigint {
    return (BigInt(this.distHi[s]!) << 32n) | BigInt(this.distLo[s]!);
  }

  /** Bytes held by the typed arrays (capacity, not just the used part). */
  byteLength(): number {
    return (
      this.keyHi.byteLength * 4 + // keyHi, keyLo, distHi, distLo (same length)
      this.sumHi.byteLength * 2 +
      this.time.byteLength +
      this.size.byteLength +
      this.rank.byteLength +
      this.pos.byteLength +
      this.heap.byteLength +
      this.table.byteLength
    );
  }

  private write(s: number, f: SlotFields): void {
    this.keyHi[s] = f.keyHi;
    this.keyLo[s] = f.keyLo;
    this.distHi[s] = f.distHi;
    this.distLo[s] = f.distLo;
    this.time[s] = f.time;
    this.size[s] = f.size;
    this.sumHi[s] = f.sumHi;
    this.sumLo[s] = f.sumLo;
    this.rank[s] = this.priorityAt(s, this.ref); // from the stored (u32) halves
  }

  private moveSlot(from: number, to: number): void {
    this.keyHi[to] = this.keyHi[from]!;
    this.keyLo[to] = this.keyLo[from]!;
    this.distHi[to] = this.distHi[from]!;
    this.distLo[to] = this.distLo[from]!;
    this.time[to] = this.time[from]!;
    this.size[to] = this.size[from]!;
    this.sumHi[to] = this.sumHi[from]!;
    this.sumLo[to] = this.sumLo[from]!;
    this.rank[to] = this.rank[from]!;
    const p = this.pos[from]!;
    this.pos[to] = p;
    this.heap[p] = to;
    this.table[this.tableIndex(from)] = to + 1;
  }

  // Slots grow by 1.5x: the slack is the main cost beyond the live entries.
  private growSlots(): void {
    const n = Math.max(MIN_SLOTS, Math.ceil(this.keyHi.length * 1.5));
    const grow = <T extends Uint32Array | Float64Array | Uint16Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a as never);
      return b;
    };
    this.keyHi = grow(this.keyHi, (k) => new Uint32Array(k));
    this.keyLo = grow(this.keyLo, (k) => new Uint32Array(k));
    this.distHi = grow(this.distHi, (k) => new Uint32Array(k));
    this.distLo = grow(this.distLo, (k) => new Uint32Array(k));
    this.time = grow(this.time, (k) => new Float64Array(k));
    this.size = grow(this.size, (k) => new Uint16Array(k));
    this.sumHi = grow(this.sumHi, (k) => new Uint32Array(k));
    this.sumLo = grow(this.sumLo, (k) => new Uint32Array(k));
    this.rank = grow(this.rank, (k) => new Float64Array(k));
    this.pos = grow(this.pos, (k) => new Int32Array(k));
    this.heap = grow(this.heap, (k) => new Int32Array(k));
  }

  private growTable(): void {
    const n = Math.max(16, this.table.length * 2);
    this.table = new Int32Array(n);
    for (let s = 0; s < this.count; s++) this.tablePut(s);
  }

  private tablePut(s: number): void {
    const mask = this.table.length - 1;
    let i = this.keyLo[s]! & mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & mask;
    this.table[i] = s + 1;
  }

  private tableIndex(s: number): number {
    const mask = this.table.length - 1;
    let i = this.keyLo[s]! & mask;
    while (this.table[i] !== s + 1) i = (i + 1) & mask;
    return i;
  }

  /** Backward-shift deletion: no tombstones, probe chains stay short. */
  private tableDelete(s: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.tableIndex(s);
    for (;;) {
      table[i] = EMPTY;
      let j = i;
      for (;;) {
        j = (j + 1) & mask;
        const t = table[j]!;
        if (t === EMPTY) return;
        const home = this.keyLo[t - 1]! & mask;
        // Leave t where it is if its home lies cyclically in (i, j].
        const stays = i <= j ? i < home && home <= j : i < home || home <= j;
        if (!stays) {
          table[i] = t;
          i = j;
          break;
        }
      }
    }
  }

  private fix(p: number): void {
    if (p > 0 && this.rank[this.heap[p]!]! < this.rank[this.heap[(p - 1) >> 1]!]!) this.siftUp(p);
    else this.siftDown(p);
  }

  private place(p: number, s: number): void {
    this.heap[p] = s;
    this.pos[s] = p;
  }

  private siftUp(p: number): void {
    const s = this.heap[p]!;
    const r = this.rank[s]!;
    while (p > 0) {
      const q = (p - 1) >> 1;
      const t = this.heap[q]!;
      if (this.rank[t]! <= r) break;
      this.place(p, t);
      p = q;
    }
    this.place(p, s);
  }

  private siftDown(p: number): void {
    const n = this.count;
    const s = this.heap[p]!;
    const r = this.rank[s]!;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= n) break;
      if (c + 1 < n && this.rank[this.heap[c + 1]!]! < this.rank[this.heap[c]!]!) c++;
      const t = this.heap[c]!;
      if (this.rank[t]! >= r) break;
      this.place(p, t);
      p = c;
    }
    this.place(p, s);
  }
}
