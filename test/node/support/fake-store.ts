/**
 * A small in-memory StoreLike for node tests (spec §9 overwrite rules, no
 * eviction): lets the node be tested apart from lib/store.
 */
import { DaveError } from '../../../lib/errors.js';
import { entrySize, nodeId, storeKey } from '../../../lib/records/record.js';
import { equalBytes } from '../../../lib/wire/bytes.js';
import type { Entry } from '../../../lib/wire/entry.js';
import type { IndexedEntry, PutResult, StoreLike } from '../../../lib/store/types.js';

export class FakeStore implements StoreLike {
  readonly map = new Map<bigint, Entry>();
  private used = 0;
  constructor(private readonly id = 0n, private readonly cap = 1 << 30) {}

  async put(entry: Entry): Promise<PutResult> {
    const sk = storeKey(entry.dat.pubKey, entry.dat.key);
    const old = this.map.get(sk);
    if (old) {
      if (!equalBytes(old.dat.pubKey, entry.dat.pubKey)) throw new DaveError('ERR_PUBKEY_MISMATCH', 'pubkey');
      if (old.dat.time > entry.dat.time) throw new DaveError('ERR_OLDER_THAN_STORED', 'older');
      if (
        old.dat.time === entry.dat.time &&
        equalBytes(old.dat.value, entry.dat.value) &&
        old.replicas.every((r, i) => r === entry.replicas[i])
      ) {
        throw new DaveError('ERR_DUPLICATE', 'dup');
      }
      this.used -= entrySize(old.dat);
    }
    if (this.used + entrySize(entry.dat) > this.cap) throw new DaveError('ERR_STORAGE_FULL', 'full');
    this.map.set(sk, { dat: entry.dat, replicas: [...entry.replicas] });
    this.used += entrySize(entry.dat);
    return { outcome: old ? 'replaced' : 'stored' };
  }
  async get(pubKey: Uint8Array, key: Uint8Array): Promise<Entry | undefined> {
    return this.map.get(storeKey(pubKey, key));
  }
  async getByStoreKey(sk: bigint): Promise<Entry | undefined> {
    return this.map.get(sk);
  }
  peek(sk: bigint): IndexedEntry | undefined {
    const e = this.map.get(sk);
    if (!e) return undefined;
    return { storeKey: sk, distance: nodeId(e.dat.pubKey) ^ this.id, time: e.dat.time, size: entrySize(e.dat) };
  }
  async *entries(): AsyncIterable<Entry> {
    for (const e of [...this.map.values()]) yield e;
  }
  usedSpace(): number {
    return this.used;
  }
  capacity(): number {
    return this.cap;
  }
  count(): number {
    return this.map.size;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
