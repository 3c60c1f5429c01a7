/**
 * The value tier: decoded entries kept in memory, least recently used
 * first out, bounded by a byte budget. A value not here is read from the
 * database when asked for. The store keeps it coherent (it drops a key
 * when the key is replaced or evicted).
 */
import type { Entry } from '../wire/entry.js';

/**
 * Memory a cached entry costs beyond its encoded bytes: the Entry and Dat
 * objects, six Uint8Arrays with their buffers, five bigints and the Map
 * slot (measured with --expose-gc; see docs/benchmarks.md).
 */
export const CACHED_ENTRY_OVERHEAD = 640;

interface Cached {
  entry: Entry;
  cost: number;
}

export class ValueCache {
  private readonly map = new Map<bigint, Cached>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  /** The cached entry for `key`, marked as recently used; counts a hit or miss. */
  get(key: bigint): Entry | undefined {
    const c = this.map.get(key);
    if (c === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert to move it to the young end of the Map's insertion order.
    this.map.delete(key);
    this.map.set(key, c);
    return c.entry;
  }

  /** The cached entry for `key`, without counting or reordering. */
  peek(key: bigint): Entry | undefined {
    return this.map.get(key)?.entry;
  }

  /** Caches `entry` of `encodedLength` bytes, evicting the oldest entries past the budget. */
  set(key: bigint, entry: Entry, encodedLength: number): void {
    this.delete(key);
    const cost = encodedLength + CACHED_ENTRY_OVERHEAD;
    if (cost > this.capacity) return;
    this.map.set(key, { entry, cost });
    this.bytes += cost;
    while (this.bytes > this.capacity) {
      const oldest = this.map.keys().next().value as bigint;
      this.delete(oldest);
    }
  }

  delete(key: bigint): void {
    const c = this.map.get(key);
    if (c === undefined) return;
    this.map.delete(key);
    this.bytes -= c.cost;
  }

  /** Bytes charged to the cache. */
  size(): number {
    return this.bytes;
  }

  /** Entries cached. */
  count(): number {
    return this.map.size;
  }
}
