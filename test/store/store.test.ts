import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { ENTRY_OVERHEAD, TTL_MS } from '../../lib/constants.js';
import type { DaveError } from '../../lib/errors.js';
import { Store } from '../../lib/store/store.js';
import { recordKey, recordsLevel } from '../../lib/store/layout.js';
import { encodeEntry, type Entry } from '../../lib/wire/entry.js';
import { keyOf, makeEntry, manualClock, ownerId, T0 } from './helpers.js';
import { rejectsCode } from '../support/assert.js';


const sizeOf = (e: Entry) => e.dat.key.length + e.dat.value.length + ENTRY_OVERHEAD;

describe('store/store', () => {
  let store: Store;
  afterEach(async () => {
    await store?.close();
  });

  describe('put and read', () => {
    it('stores an entry and reads it back by (pubKey, key) and by store key', async () => {
      store = await Store.open();
      const e = makeEntry({ key: 'k', value: 'v', replicas: [1n, 2n, 3n, 4n, 5n] });
      expect(await store.put(e)).to.deep.equal({ outcome: 'stored' });
      expect(await store.get(e.dat.pubKey, e.dat.key)).to.deep.equal(e);
      expect(await store.getByStoreKey(keyOf(e))).to.deep.equal(e);
      expect(await store.get(e.dat.pubKey, new TextEncoder().encode('other'))).to.equal(undefined);
    });

    it('keeps count, used space (value + key + 224) and capacity', async () => {
      store = await Store.open({ capacity: 10_000 });
      const a = makeEntry({ key: 'a', value: 'xyz' });
      const b = makeEntry({ key: 'bb', value: '' });
      await store.put(a);
      await store.put(b);
      expect(store.count()).to.equal(2);
      expect(store.usedSpace()).to.equal(1 + 3 + 224 + 2 + 0 + 224);
      expect(store.capacity()).to.equal(10_000);
    });

    it('peeks the index record synchronously', async () => {
      store = await Store.open({ nodeId: 0x1234n });
      const e = makeEntry({ time: T0 + 5 });
      await store.put(e);
      expect(store.peek(keyOf(e))).to.deep.equal({
        storeKey: keyOf(e),
        distance: ownerId(e) ^ 0x1234n,
        time: T0 + 5,
        size: sizeOf(e),
      });
      expect(store.peek(keyOf(e) ^ 1n)).to.equal(undefined);
    });

    it('lists every entry in store-key order', async () => {
      store = await Store.open();
      const all = Array.from({ length: 50 }, (_, i) => makeEntry({ key: `k${i}`, value: `v${i}` }));
      for (const e of all) void store.put(e);
      const listed: Entry[] = [];
      for await (const e of store.entries()) listed.push(e);
      const sorted = [...all].sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : 1));
      expect(listed).to.deep.equal(sorted);
    });

    it('returns copies: reassigning fields of a returned or stored entry does not change the store', async () => {
      store = await Store.open();
      const e = makeEntry({ replicas: [1n, 0n, 0n, 0n, 0n] });
      await store.put(e);
      e.replicas = [9n, 9n, 9n, 9n, 9n];
      const got = (await store.getByStoreKey(keyOf(e)))!;
      got.replicas[0] = 7n;
      expect((await store.getByStoreKey(keyOf(e)))!.replicas).to.deep.equal([1n, 0n, 0n, 0n, 0n]);
    });
  });

  describe('put with a lookup made earlier (the node looks up, verifies, then stores)', () => {
    const inShard = (n: bigint) => (0x10n << 56n) | n;

    it('a key found absent, then stored by another put, is replaced, not stored twice', async () => {
      store = await Store.open();
      const at = store.lookup(inShard(1n));
      expect(at.indexed).to.equal(undefined);
      await store.put(makeEntry({ time: T0 }), store.lookup(inShard(1n)));
      expect(await store.put(makeEntry({ time: T0 + 1 }), at)).to.deep.equal({ outcome: 'replaced' });
      expect(store.count()).to.equal(1);
    });

    it('decides against the index as it is now, not as the lookup found it', async () => {
      store = await Store.open();
      await store.put(makeEntry({ time: T0 }), store.lookup(inShard(1n)));
      const at = store.lookup(inShard(1n));
      expect(at.indexed?.time).to.equal(T0);
      await store.put(makeEntry({ time: T0 + 10 }), store.lookup(inShard(1n)));
      await rejectsCode(store.put(makeEntry({ time: T0 + 5 }), at), 'ERR_OLDER_THAN_STORED');
    });

    it('a key whose slot moved (an eviction in its shard) is still found', async () => {
      const e = (key: string, time: number) => makeEntry({ key, time, value: 'v' });
      store = await Store.open({ capacity: 2 * sizeOf(e('a', T0)) + 10, now: manualClock().now });
      await store.put(e('a', T0 - 2000), store.lookup(inShard(1n))); // the oldest: evicted first
      await store.put(e('b', T0 - 1000), store.lookup(inShard(2n)));
      const atB = store.lookup(inShard(2n));
      expect((await store.put(e('c', T0), store.lookup(inShard(3n)))).evicted).to.deep.equal([inShard(1n)]);
      expect(await store.put(e('b', T0 + 1), atB)).to.deep.equal({ outcome: 'replaced' });
      expect(store.count()).to.equal(2);
      expect(store.peek(inShard(2n))?.time).to.equal(T0 + 1);
      expect(store.peek(inShard(3n))?.time).to.equal(T0);
    });

    it('refuses a lookup whose store key is no u64 with ERR_INVALID_ARGUMENT', async () => {
      store = await Store.open();
      await rejectsCode(store.put(makeEntry(), { storeKey: -1n, indexed: undefined }), 'ERR_INVALID_ARGUMENT');
      expect(store.count()).to.equal(0);
    });
  });

  describe('writes over an existing key (docs/protocol.md §9)', () => {
    for (const cacheCapacity of [1 << 20, 0]) {
      it(`refuses another public key with ERR_PUBKEY_MISMATCH (cache ${cacheCapacity ? 'on' : 'off'})`, async () => {
        // Two owners under one store key need an xxhash64 collision; a lookup of one key given to both puts makes one.
        store = await Store.open({ cacheCapacity });
        await store.put(makeEntry({ owner: 1, time: T0 }), store.lookup(42n));
        await rejectsCode(store.put(makeEntry({ owner: 2, time: T0 + 1 }), store.lookup(42n)), 'ERR_PUBKEY_MISMATCH');
        expect(store.stats().refused.ERR_PUBKEY_MISMATCH).to.equal(1);
        expect(store.peek(42n)!.time).to.equal(T0);
      });
    }

    it('refuses an older entry with ERR_OLDER_THAN_STORED', async () => {
      store = await Store.open();
      await store.put(makeEntry({ time: T0 + 10 }));
      await rejectsCode(store.put(makeEntry({ time: T0 + 9 })), 'ERR_OLDER_THAN_STORED');
      expect(store.stats().refused.ERR_OLDER_THAN_STORED).to.equal(1);
    });

    it('refuses the same time, value and replicas with ERR_DUPLICATE', async () => {
      store = await Store.open();
      await store.put(makeEntry());
      await rejectsCode(store.put(makeEntry()), 'ERR_DUPLICATE');
    });

    it('replaces on a newer time, another value or other replicas', async () => {
      store = await Store.open();
      await store.put(makeEntry({ value: 'a' }));
      expect(await store.put(makeEntry({ value: 'bb' }))).to.deep.equal({ outcome: 'replaced' });
      expect(await store.put(makeEntry({ value: 'bb', replicas: [1n, 0n, 0n, 0n, 0n] }))).to.deep.equal({
        outcome: 'replaced',
      });
      const newer = makeEntry({ value: 'bb', time: T0 + 1 });
      expect(await store.put(newer)).to.deep.equal({ outcome: 'replaced' });
      expect(await store.getByStoreKey(keyOf(newer))).to.deep.equal(newer);
      expect(store.count()).to.equal(1);
      expect(store.usedSpace()).to.equal(sizeOf(newer));
      expect(store.stats().replaced).to.equal(3);
    });

    it('decides duplicates the same way when the stored value is not cached', async () => {
      store = await Store.open({ cacheCapacity: 0 });
      await store.put(makeEntry({ value: 'a' }));
      await rejectsCode(store.put(makeEntry({ value: 'a' })), 'ERR_DUPLICATE');
      expect(await store.put(makeEntry({ value: 'b' }))).to.deep.equal({ outcome: 'replaced' });
      await rejectsCode(store.put(makeEntry({ value: 'a', time: T0 - 1 })), 'ERR_OLDER_THAN_STORED');
    });
  });

  describe('capacity and eviction (docs/protocol.md §9)', () => {
    it('evicts the lowest-priority entry of the shard for a higher-priority one', async () => {
      const clock = manualClock();
      // nodeId equal to owner 1's ID: owner 1 is at distance 0, the best priority.
      const near = makeEntry({ owner: 1, key: 'x' });
      store = await Store.open({ capacity: 2 * sizeOf(near), now: clock.now, nodeId: ownerId(near) });
      // Fill with far entries in near's shard: find keys of owner 2 in the same shard.
      const shard = keyOf(near) >> 56n;
      const far: Entry[] = [];
      for (let i = 0; far.length < 2; i++) {
        const e = makeEntry({ owner: 2, key: `x${i}`, value: '', time: T0 - i });
        if (keyOf(e) >> 56n === shard) far.push(e);
      }
      await store.put(far[0]!);
      await store.put(far[1]!); // older: lower priority
      const res = await store.put(near);
      expect(res).to.deep.equal({ outcome: 'stored', evicted: [keyOf(far[1]!)] });
      expect(store.peek(keyOf(far[1]!))).to.equal(undefined);
      expect(await store.getByStoreKey(keyOf(far[1]!))).to.equal(undefined);
      expect(store.stats().evicted).to.equal(1);
    });

    it('refuses with ERR_INSUFFICIENT_PRIORITY when the shard lowest is not lower', async () => {
      const a = makeEntry({ owner: 1, key: 'a' });
      // room for a, not for a and b; b alone would fit (a larger b is ERR_STORAGE_FULL)
      store = await Store.open({ capacity: sizeOf(a) + 8, now: () => T0, nodeId: ownerId(a) });
      await store.put(a);
      const shard = keyOf(a) >> 56n;
      let b: Entry | undefined;
      for (let i = 0; !b; i++) {
        const e = makeEntry({ owner: 3, key: `b${i}` });
        if (keyOf(e) >> 56n === shard) b = e;
      }
      await rejectsCode(store.put(b), 'ERR_INSUFFICIENT_PRIORITY');
      expect(store.count()).to.equal(1);
    });

    it('refuses with ERR_STORAGE_FULL when the shard is empty', async () => {
      const a = makeEntry({ key: 'a' });
      store = await Store.open({ capacity: sizeOf(a) });
      await store.put(a);
      let b: Entry | undefined;
      for (let i = 0; !b; i++) {
        const e = makeEntry({ key: `b${i}` });
        if (keyOf(e) >> 56n !== keyOf(a) >> 56n) b = e;
      }
      await rejectsCode(store.put(b), 'ERR_STORAGE_FULL');
      expect(store.stats().refused.ERR_STORAGE_FULL).to.equal(1);
    });

    it('gives an expired entry priority 0, so it is evicted before live ones', async () => {
      const clock = manualClock(T0 + TTL_MS + 1); // entries at T0 are expired
      const old = makeEntry({ owner: 1, key: 'old' });
      store = await Store.open({ capacity: sizeOf(old), now: clock.now, nodeId: ownerId(old) });
      await store.put(old);
      let fresh: Entry | undefined;
      for (let i = 0; !fresh; i++) {
        const e = makeEntry({ owner: 5, key: `f${i}`, value: '', time: T0 + TTL_MS });
        if (keyOf(e) >> 56n === keyOf(old) >> 56n) fresh = e;
      }
      expect((await store.put(fresh)).evicted).to.deep.equal([keyOf(old)]);
    });
  });

  describe('persistence', () => {
    it('rebuilds the index from a database it did not open, and does not close it', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db, nodeId: 7n });
      const all = Array.from({ length: 300 }, (_, i) => makeEntry({ owner: i % 7, key: `k${i}`, value: `v${i}` }));
      for (const e of all) void store.put(e);
      await store.close();
      expect(db.status).to.equal('open');
      store = await Store.open({ database: db, nodeId: 7n });
      expect(store.count()).to.equal(300);
      expect(store.openReport.records).to.equal(300);
      expect(store.usedSpace()).to.equal(all.reduce((n, e) => n + sizeOf(e), 0));
      for (const e of all) {
        expect(store.peek(keyOf(e))!.distance).to.equal(ownerId(e) ^ 7n);
        expect(await store.get(e.dat.pubKey, e.dat.key)).to.deep.equal(e);
      }
      await store.close();
      await db.close();
    });

    it('writes the layout dave-db reads: records sublevel, 8-byte key, Entry bytes', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      const e = makeEntry();
      await store.put(e);
      const raw = await recordsLevel(db).get(recordKey(keyOf(e)));
      expect(raw).to.deep.equal(encodeEntry(e));
      await store.close();
      await db.close();
    });

    it('reaches the database for evictions and replacements', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      const a = makeEntry({ owner: 1, key: 'a' });
      store = await Store.open({ database: db, capacity: sizeOf(a), now: () => T0, nodeId: ownerId(a) });
      let b: Entry | undefined;
      for (let i = 0; !b; i++) {
        const e = makeEntry({ owner: 9, key: `b${i}`, value: '' });
        if (keyOf(e) >> 56n === keyOf(a) >> 56n) b = e;
      }
      await store.put(b);
      await store.put(a); // evicts b
      await store.put(makeEntry({ owner: 1, key: 'a', value: 'new' }));
      const records = recordsLevel(db);
      expect(await records.get(recordKey(keyOf(b)))).to.equal(undefined);
      expect(await records.get(recordKey(keyOf(a)))).to.deep.equal(encodeEntry(makeEntry({ owner: 1, key: 'a', value: 'new' })));
      await store.close();
      await db.close();
    });

    it('skips, counts and reports records that do not decode or sit under the wrong key', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      const good = makeEntry({ key: 'good' });
      await store.put(good);
      await store.close();
      const records = recordsLevel(db);
      await records.put(recordKey(1n), new Uint8Array([1, 2, 3]));
      await records.put(recordKey(2n), encodeEntry(makeEntry({ key: 'elsewhere' })));
      store = await Store.open({ database: db });
      expect(store.count()).to.equal(1);
      expect(store.openReport.corrupt).to.equal(2);
      expect(store.openReport.corruptKeys).to.deep.equal(['0000000000000001', '0000000000000002']);
      expect(store.stats().corruptOnOpen).to.equal(2);
      const listed: Entry[] = [];
      for await (const e of store.entries()) listed.push(e);
      expect(listed).to.deep.equal([good]);
      await store.close();
      await db.close();
    });

    it('getBytes: the stored form, byte for byte what encodeEntry makes of get(), from pending, cache and database', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      const e = makeEntry({ key: 'k', value: 'v', replicas: [1n, 2n, 3n, 4n, 5n] });
      const putting = store.put(e);
      expect(await store.getBytes(e.dat.pubKey, e.dat.key)).to.deep.equal(encodeEntry(e)); // pending
      await putting;
      expect(await store.getBytes(e.dat.pubKey, e.dat.key)).to.deep.equal(encodeEntry(e)); // cached at commit
      expect(await store.getBytes(e.dat.pubKey, new TextEncoder().encode('other'))).to.equal(undefined);
      await store.close();
      store = await Store.open({ database: db });
      expect(await store.getBytes(e.dat.pubKey, e.dat.key)).to.deep.equal(encodeEntry(e)); // database
      expect(store.stats()).to.include({ cacheMisses: 1, cachedEntries: 1 });
      expect(await store.getBytes(e.dat.pubKey, e.dat.key)).to.deep.equal(encodeEntry(e));
      expect(store.stats()).to.include({ cacheHits: 1 });
      await store.close();
      await db.close();
    });

    it('getBytes: a record that does not decode is ERR_DATABASE, not handed out', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      const e = makeEntry();
      await store.put(e);
      await store.close();
      store = await Store.open({ database: db });
      // the same record cut short behind the store's back, after the index was built
      await recordsLevel(db).put(recordKey(keyOf(e)), encodeEntry(e).subarray(0, 100));
      await rejectsCode(store.getBytes(e.dat.pubKey, e.dat.key), 'ERR_DATABASE');
      await rejectsCode(store.get(e.dat.pubKey, e.dat.key), 'ERR_DATABASE');
      await store.close();
      await db.close();
    });

    it('reads values not in the cache from the database, and counts hits and misses', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      const e = makeEntry();
      await store.put(e);
      await store.close();
      store = await Store.open({ database: db });
      expect(await store.getByStoreKey(keyOf(e))).to.deep.equal(e);
      expect(await store.getByStoreKey(keyOf(e))).to.deep.equal(e);
      expect(store.stats()).to.include({ cacheMisses: 1, cacheHits: 1, cachedEntries: 1 });
      await store.close();
      await db.close();
    });
  });

  describe('reads racing writes', () => {
    it('never caches a value read from the database after a newer write to that key', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      const v1 = makeEntry({ value: 'one' });
      await store.put(v1);
      await store.close();
      store = await Store.open({ database: db }); // v1 only in the database now
      // The database read returns v1 only after v2 has been committed.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const slow = db as unknown as { _get: (...a: unknown[]) => Promise<unknown> };
      const get = slow._get.bind(db);
      slow._get = async (...a) => {
        const v = await get(...a);
        await gate;
        return v;
      };
      const reading = store.getByStoreKey(keyOf(v1));
      const v2 = makeEntry({ value: 'two', time: T0 + 1 });
      await store.put(v2);
      release();
      expect(await reading).to.deep.equal(v1); // read linearized before the write
      slow._get = get;
      expect(await store.getByStoreKey(keyOf(v1))).to.deep.equal(v2);
      await store.flush();
      expect(await store.getByStoreKey(keyOf(v1))).to.deep.equal(v2);
      await store.close();
      await db.close();
    });

    it('serves a write from memory before its batch is committed', async () => {
      store = await Store.open();
      const e = makeEntry({ value: 'pending' });
      void store.put(e);
      expect(await store.getByStoreKey(keyOf(e))).to.deep.equal(e);
    });
  });

  describe('database failures', () => {
    it('rejects the failed batch with ERR_STORAGE_UNAVAILABLE (with the cause), refuses writes at once while degraded, and recovers', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      const seen: string[] = [];
      store = await Store.open({ database: db, retry: { minMs: 5, maxMs: 20 }, onHealth: (h) => seen.push(h.status) });
      await store.put(makeEntry({ key: 'before' }));
      let fail = true;
      db.hooks.prewrite.add(() => {
        if (fail) throw new Error('disk on fire');
      });
      const p = store.put(makeEntry({ key: 'during' }));
      await rejectsCode(p, 'ERR_STORAGE_UNAVAILABLE');
      expect(((await p.catch((e: unknown) => e)) as Error).cause).to.be.an('error');
      expect(store.count()).to.equal(1); // taken back out of the index
      expect(store.health().status).to.equal('degraded');
      expect(store.health().lastError?.message).to.match(/disk on fire/);
      await rejectsCode(store.put(makeEntry({ key: 'while' })), 'ERR_STORAGE_UNAVAILABLE');
      await store.flush(); // never rejects
      fail = false;
      for (let i = 0; i < 200 && store.health().status !== 'ok'; i++) await new Promise((r) => setTimeout(r, 5));
      expect(store.health().status).to.equal('ok');
      expect(store.health().recoveries).to.equal(1);
      expect(seen).to.deep.equal(['degraded', 'ok']);
      await store.put(makeEntry({ key: 'after' }));
      await store.close();
      store = await Store.open({ database: db }); // the database holds exactly what was acknowledged
      expect(store.count()).to.equal(2);
      await store.close();
      await db.close();
    });

    it('answers reads from the index, cache and database while degraded (the failed write is not there)', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db, cacheCapacity: 0, retry: { minMs: 1000, maxMs: 1000 } });
      const before = makeEntry({ key: 'before' });
      await store.put(before);
      const older = makeEntry({ key: 'k', value: 'old' });
      await store.put(older);
      db.hooks.prewrite.add(() => {
        throw new Error('disk on fire');
      });
      const during = makeEntry({ key: 'during' });
      const newer = makeEntry({ key: 'k', value: 'new', time: T0 + 1 });
      const [a, b] = await Promise.allSettled([store.put(during), store.put(newer)]);
      expect(a.status).to.equal('rejected');
      expect(b.status).to.equal('rejected');
      expect(await store.get(during.dat.pubKey, during.dat.key)).to.equal(undefined);
      expect(await store.getByStoreKey(keyOf(before))).to.deep.equal(before);
      expect(await store.getByStoreKey(keyOf(older))).to.deep.equal(older); // the replacement went back
      const listed: Entry[] = [];
      for await (const e of store.entries()) listed.push(e);
      expect(listed.length).to.equal(2);
      await store.close();
      await db.close();
    });
  });

  describe('opening over capacity', () => {
    it('restores everything, reports the excess, and evicts as new keys arrive', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      const es = Array.from({ length: 10 }, (_, i) => makeEntry({ key: `k${i}` }));
      await Promise.all(es.map((e) => store.put(e)));
      await store.close();
      const cap = 5 * sizeOf(es[0]!);
      store = await Store.open({ database: db, capacity: cap });
      expect(store.count()).to.equal(10);
      expect(store.openReport.overCapacity).to.equal(5 * sizeOf(es[0]!));
      await store.close();
      await db.close();
    });
  });

  describe('lifecycle', () => {
    it('close() is safe to call twice, and later calls fail with ERR_CLOSED', async () => {
      store = await Store.open();
      const e = makeEntry();
      const p = store.put(e);
      await Promise.all([store.close(), store.close()]);
      expect(await p).to.deep.equal({ outcome: 'stored' });
      await rejectsCode(store.put(makeEntry({ key: 'z' })), 'ERR_CLOSED');
      await rejectsCode(store.getByStoreKey(keyOf(e)), 'ERR_CLOSED');
    });

    it('flush() waits for every queued write', async () => {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
      store = await Store.open({ database: db });
      for (let i = 0; i < 100; i++) void store.put(makeEntry({ key: `k${i}` }));
      await store.flush();
      let n = 0;
      for await (const _ of recordsLevel(db).keys()) n++;
      expect(n).to.equal(100);
      expect(store.stats().batchedOps).to.equal(100);
      expect(store.stats().batches).to.be.lessThan(100); // grouped
      await store.close();
      await db.close();
    });

    for (const sync of [undefined, true, false]) {
      it(`passes sync: ${sync ?? true} to every batch (option ${sync === undefined ? 'default' : sync})`, async () => {
        const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
        store = await Store.open({ database: db, ...(sync === undefined ? {} : { sync }) });
        const seen: unknown[] = [];
        const batch = db.batch.bind(db) as (ops: unknown, o: unknown) => Promise<void>;
        (db as unknown as { batch: unknown }).batch = (ops: unknown, o: { sync?: boolean }) => {
          seen.push(o?.sync);
          return batch(ops, o);
        };
        await Promise.all([store.put(makeEntry({ key: 'a' })), store.put(makeEntry({ key: 'b' }))]);
        expect(seen.length).to.be.at.least(1);
        expect(seen.every((x) => x === (sync ?? true))).to.equal(true);
        await store.close();
        await db.close();
      });
    }

    it('rejects bad options with ERR_INVALID_ARGUMENT', async () => {
      await rejectsCode(Store.open({ capacity: -1 }), 'ERR_INVALID_ARGUMENT');
      await rejectsCode(Store.open({ nodeId: 1 as unknown as bigint }), 'ERR_INVALID_ARGUMENT');
      await rejectsCode(Store.open({ database: 42 as never }), 'ERR_INVALID_ARGUMENT');
    });
  });
});
