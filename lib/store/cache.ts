/**
 * The value tier: encoded entries (docs/protocol.md §5 bytes, each in its own
 * exact-size buffer) kept in memory, least recently used first out,
 * bounded by a byte budget. Reads decode them. A value not here is read from the
 * database when asked for. The store keeps it coherent (it drops a key
 * when the key is replaced or evicted).
 *
 * A Map finds the node; a doubly linked list keeps the use order. (Using
 * the Map's own insertion order and deleting its first key looked simpler,
 * but V8 leaves holes at the front of a Map after deletes, so each
 * "oldest key" lookup walked them: quadratic under eviction.)
 */

/**
 * Memory a cached entry costs beyond its encoded bytes: the Uint8Array, its
 * ArrayBuffer and native backing-store record, the bigint key, the list
 * node and the Map slot. Measured as resident-memory growth per entry over
 * 500k entries (350–370 bytes; see docs/benchmarks.md).
 */
export const CACHED_ENTRY_OVERHEAD = 360;

class Node {
  prev: Node | null = null;
  next: Node | null = null;
  constructor(
    readonly key: bigint,
    readonly bytes: Uint8Array,
    readonly cost: number,
  ) {}
}

/** LRU cache of encoded entries by store key, bounded by `capacity` bytes (never throws). */
export class ValueCache {
  private readonly map = new Map<bigint, Node>();
  /** Least recently used end, and most recently used end. */
  private oldest: Node | null = null;
  private newest: Node | null = null;
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  /** The cached bytes for `key`, marked as recently used; counts a hit or miss. */
  get(key: bigint): Uint8Array | undefined {
    const n = this.map.get(key);
    if (n === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (n !== this.newest) {
      this.unlink(n);
      this.append(n);
    }
    return n.bytes;
  }

  /** The cached bytes for `key`, without counting or reordering. */
  peek(key: bigint): Uint8Array | undefined {
    return this.map.get(key)?.bytes;
  }

  /**
   * Caches the encoded entry `bytes` (kept as given: pass an exact-size copy
   * that nothing mutates), dropping the least recently used past the budget.
   */
  set(key: bigint, bytes: Uint8Array): void {
    this.delete(key);
    const cost = bytes.length + CACHED_ENTRY_OVERHEAD;
    if (cost > this.capacity) return;
    const n = new Node(key, bytes, cost);
    this.map.set(key, n);
    this.append(n);
    this.bytes += cost;
    while (this.bytes > this.capacity && this.oldest !== null) this.delete(this.oldest.key);
  }

  delete(key: bigint): void {
    const n = this.map.get(key);
    if (n === undefined) return;
    this.map.delete(key);
    this.unlink(n);
    this.bytes -= n.cost;
  }

  /** Bytes charged to the cache. */
  size(): number {
    return this.bytes;
  }

  /** Entries cached. */
  count(): number {
    return this.map.size;
  }

  private append(n: Node): void {
    n.prev = this.newest;
    n.next = null;
    if (this.newest) this.newest.next = n;
    else this.oldest = n;
    this.newest = n;
  }

  private unlink(n: Node): void {
    if (n.prev) n.prev.next = n.next;
    else this.oldest = n.next;
    if (n.next) n.next.prev = n.prev;
    else this.newest = n.prev;
    n.prev = n.next = null;
  }
}
