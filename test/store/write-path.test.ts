/**
 * The store's write path (GroupWriter): every batch goes through
 * abstract-level's public batch() of the records sublevel, on every
 * database. What is written must be exactly the layout (dave-db and
 * recovery read it), read back identical, survive a reopen, and carry `sync`.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { recordKey, recordsLevel, type AnyLevel } from '../../lib/store/layout.js';
import { Store } from '../../lib/store/store.js';
import { GroupWriter } from '../../lib/store/writer.js';
import { encodeEntry, type Entry } from '../../lib/wire/entry.js';
import { keyOf, makeEntry, T0 } from './helpers.js';

/** The database a store opened itself (test access to a private field). */
function ownDb(store: Store): AnyLevel {
  return (store as unknown as { opened: { db: AnyLevel } }).opened.db;
}

/** Puts, replacements (a newer time) and evictions (a small capacity): every kind of operation. */
async function workload(store: Store): Promise<Map<bigint, Entry>> {
  const live = new Map<bigint, Entry>();
  const puts: Promise<unknown>[] = [];
  for (let i = 0; i < 400; i++) {
    const e = makeEntry({ owner: i % 5, key: `k${i % 300}`, value: `v${i}`, time: T0 + i });
    puts.push(
      store.put(e).then(
        (r) => {
          live.set(keyOf(e), e);
          for (const k of r.evicted ?? []) live.delete(k);
        },
        () => {},
      ),
    );
  }
  await Promise.all(puts);
  return live;
}

describe('store/write-path', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dave-writepath-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("builds the root's key of a record from the halves exactly as the records sublevel prefixes recordKey", () => {
    const db = new MemoryLevel();
    const nested = recordsLevel(db.sublevel('outer') as unknown as AnyLevel);
    for (const records of [recordsLevel(db), nested]) {
      const writer = new GroupWriter(records, false, { committed: () => {}, failed: (err) => err as never });
      for (const sk of [0n, 1n, 0xffffffffffffffffn, 0x0123456789abcdefn, 0x8000000000000000n, 0xdeadbeefn << 32n]) {
        expect(writer.dbKey(Number(sk >> 32n), Number(sk & 0xffffffffn))).to.deep.equal(records.prefixKey(recordKey(sk), 'view'));
      }
    }
  });

  it('a store on a nested sublevel writes through it: the records land under both prefixes', async () => {
    const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const outer = db.sublevel<Uint8Array, Uint8Array>('outer', { keyEncoding: 'view', valueEncoding: 'view' }) as unknown as AnyLevel;
    const store = await Store.open({ database: outer });
    const e = makeEntry({ key: 'nested' });
    await store.put(e);
    await store.close();
    expect(await recordsLevel(outer).get(recordKey(keyOf(e)))).to.deep.equal(encodeEntry(e));
    await db.close();
  });

  it('on a directory it opened: writes the Entry bytes under the record key, deletes evicted ones, and reopens identical', async () => {
    const dir = join(root, 'db');
    let store = await Store.open({ database: dir, capacity: 120 * 240, now: () => T0 + 1000 });
    const live = await workload(store);
    expect(store.stats().evicted).to.be.greaterThan(0); // the workload did evict
    expect(store.stats().replaced).to.be.greaterThan(0);
    await store.close();

    // Read the directory with LevelDB alone, through the sublevel: exactly the live entries.
    const raw = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    const rows = await recordsLevel(raw as unknown as AnyLevel).iterator().all();
    expect(rows.length).to.equal(live.size);
    for (const [k, v] of rows) {
      const e = live.get(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0, false));
      expect(e, 'a record the store does not hold').to.not.equal(undefined);
      expect(v).to.deep.equal(encodeEntry(e!));
    }
    await raw.close();

    store = await Store.open({ database: dir, capacity: 120 * 240, now: () => T0 + 1000 });
    expect(store.openReport.corrupt).to.equal(0);
    expect(store.count()).to.equal(live.size);
    for (const e of live.values()) expect(await store.get(e.dat.pubKey, e.dat.key)).to.deep.equal(e);
    await store.close();
  });

  it('in memory (the default database): reads back identical, from the cache and from the database', async () => {
    for (const cacheCapacity of [1 << 20, 0]) {
      const store = await Store.open({ now: () => T0 + 1000, cacheCapacity });
      const live = await workload(store);
      for (const e of live.values()) expect(await store.get(e.dat.pubKey, e.dat.key)).to.deep.equal(e);
      const listed: Entry[] = [];
      for await (const e of store.entries()) listed.push(e);
      expect(listed.length).to.equal(live.size);
      for (const e of listed) expect(e).to.deep.equal(live.get(keyOf(e)));
      if (cacheCapacity === 0) expect(store.stats().cacheMisses).to.be.greaterThan(0); // read from memory-level
      await store.close();
    }
  });

  for (const sync of [true, false]) {
    it(`passes sync: ${sync} to every batch on a directory it opened`, async () => {
      const store = await Store.open({ database: join(root, `s-${sync}`), sync });
      const db = ownDb(store) as AnyLevel & { _batch: (ops: unknown[], o: { sync: boolean }) => Promise<void> };
      const seen: boolean[] = [];
      const inner = db._batch.bind(db);
      db._batch = (ops, o) => {
        seen.push(o.sync);
        return inner(ops, o);
      };
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.put(makeEntry({ key: `k${i}` }))));
      expect(seen.length).to.be.at.least(1);
      expect(seen.every((s) => s === sync)).to.equal(true);
      await store.close();
    });
  }

  it('every database gets public batches: its hooks and write events see every change', async () => {
    const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const store = await Store.open({ database: db });
    const hooked: Uint8Array[] = [];
    const via: unknown[] = [];
    db.hooks.prewrite.add((op: { key: Uint8Array; sublevel?: unknown }) => {
      hooked.push(op.key);
      via.push(op.sublevel);
    });
    let written = 0;
    db.on('write', (ops: unknown[]) => (written += ops.length));
    const es = Array.from({ length: 20 }, (_, i) => makeEntry({ key: `h${i}` }));
    await Promise.all(es.map((e) => store.put(e)));
    expect(written).to.equal(20);
    // each operation carries the root's key: the records sublevel's prefix and the 8-byte record key
    expect(via.every((v) => v === undefined)).to.equal(true);
    expect(hooked.map((k) => Buffer.from(k).toString('hex')).sort()).to.deep.equal(
      es.map((e) => Buffer.from(recordsLevel(db).prefixKey(recordKey(keyOf(e)), 'view')).toString('hex')).sort(),
    );
    await store.close();
    await db.close();
  });

  it('a database handed in with default (utf8) encodings still stores binary keys and values exactly', async () => {
    const dbs: AnyLevel[] = [new MemoryLevel(), new ClassicLevel(join(root, 'utf8')) as unknown as AnyLevel];
    for (const db of dbs) {
      let store = await Store.open({ database: db, now: () => T0 + 1000 });
      // store keys with bytes that are not valid UTF-8 on their own
      const es = Array.from({ length: 64 }, (_, i) => makeEntry({ owner: i, key: `u${i}`, value: new Uint8Array([0xff, 0xfe, i]) }));
      await Promise.all(es.map((e) => store.put(e)));
      await store.close();
      for (const e of es) expect(await recordsLevel(db).get(recordKey(keyOf(e)))).to.deep.equal(encodeEntry(e));
      store = await Store.open({ database: db, now: () => T0 + 1000 });
      expect(store.openReport.corrupt).to.equal(0);
      expect(store.count()).to.equal(es.length);
      await store.close();
      await db.close();
    }
  });

  it('a database the store opened and then closed refuses writes with ERR_CLOSED, not a crash', async () => {
    const store = await Store.open({ database: join(root, 'closed') });
    await store.put(makeEntry({ key: 'a' }));
    await store.close();
    try {
      await store.put(makeEntry({ key: 'b' }));
      expect.fail('put after close');
    } catch (err) {
      expect((err as { code?: string }).code).to.equal('ERR_CLOSED');
    }
  });
});
