/**
 * The one adapter suite: what the store needs from an abstract-level
 * database, run against every adapter in storage-adapters/. An adapter for
 * another database passes when this suite passes (see storage-adapters/README.md).
 */
import { expect } from 'chai';
import { Store } from '../../lib/store/store.js';
import { DaveError } from '../../lib/errors.js';
import { FORMAT_KEY, metaLevel, recordKey, recordsLevel, type AnyLevel } from '../../lib/store/layout.js';
import { encodeEntry, type Entry } from '../../lib/wire/entry.js';
import { keyOf, makeEntry } from '../store/helpers.js';

export interface AdapterHarness {
  /** Whether data survives closing and reopening (supports.permanence). */
  persistent: boolean;
  /** A new, empty database. */
  create(): Promise<AnyLevel>;
  /** The same database again after `db` was closed: a new instance on the same files, or `db` itself. */
  reopen(db: AnyLevel): Promise<AnyLevel>;
  /** Removes what `create` made. */
  destroy(): Promise<void>;
}

async function all(store: Store): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of store.entries()) out.push(e);
  return out;
}

export function adapterSuite(name: string, h: AdapterHarness): void {
  describe(`storage adapter: ${name}`, () => {
    let db: AnyLevel;
    beforeEach(async () => {
      db = await h.create();
    });
    afterEach(async () => {
      if (db.status !== 'closed') await db.close();
      await h.destroy();
    });

    it('declares what the store relies on: binary encodings, implicit snapshots, permanence as stated', () => {
      expect(db.supports.encodings.view || db.supports.encodings.buffer).to.equal(true);
      expect(db.supports.implicitSnapshots).to.equal(true);
      expect(db.supports.permanence).to.equal(h.persistent);
      expect(typeof db.sublevel).to.equal('function');
    });

    it('stores Entry bytes under 8-byte big-endian keys in the records sublevel', async () => {
      const store = await Store.open({ database: db });
      const e = makeEntry({ key: 'layout' });
      await store.put(e);
      await store.close();
      expect(await recordsLevel(db).get(recordKey(keyOf(e)))).to.deep.equal(encodeEntry(e));
    });

    it('iterates records in store-key order (unsigned big-endian byte order)', async () => {
      const store = await Store.open({ database: db });
      const es = Array.from({ length: 200 }, (_, i) => makeEntry({ owner: i, key: `o${i}` }));
      await Promise.all(es.map((e) => store.put(e)));
      const keys = (await all(store)).map(keyOf);
      await store.close();
      expect(keys).to.deep.equal(es.map(keyOf).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    });

    it('applies a batch atomically: a batch with a failing operation writes nothing', async () => {
      const records = recordsLevel(db);
      let failed = false;
      try {
        await records.batch([
          { type: 'put', key: recordKey(1n), value: new Uint8Array([1]) },
          { type: 'put', key: undefined as unknown as Uint8Array, value: new Uint8Array([2]) },
        ]);
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      expect(await records.get(recordKey(1n))).to.equal(undefined);
    });

    it('does not close a database the store did not open', async () => {
      const store = await Store.open({ database: db });
      await store.close();
      expect(db.status).to.equal('open');
    });

    it('keeps every write, replacement and eviction across close and reopen', async () => {
      let store = await Store.open({ database: db });
      const es = Array.from({ length: 100 }, (_, i) => makeEntry({ key: `k${i}`, value: `v${i}` }));
      await Promise.all(es.map((e) => store.put(e)));
      const newer = makeEntry({ key: 'k0', value: 'newer', time: es[0]!.dat.time + 1 });
      await store.put(newer);
      await store.close();
      await db.close();
      db = await h.reopen(db);
      store = await Store.open({ database: db });
      // memory-level keeps its tree across close/open of one instance; a
      // persistent adapter reads it back from disk.
      expect(store.count()).to.equal(100);
      expect(await store.get(newer.dat.pubKey, newer.dat.key)).to.deep.equal(newer);
      expect(await store.get(es[50]!.dat.pubKey, es[50]!.dat.key)).to.deep.equal(es[50]);
      await store.close();
    });

    it('reopens a database that was handed in closed', async () => {
      await db.close();
      const store = await Store.open({ database: db });
      await store.put(makeEntry());
      expect(store.count()).to.equal(1);
      await store.close();
    });

    it('closes again a database handed in closed when the store fails to open on it', async () => {
      await metaLevel(db).put(FORMAT_KEY, new TextEncoder().encode('other-format/9'));
      await db.close();
      const err = await Store.open({ database: db }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as DaveError).code).to.equal('ERR_DATABASE');
      expect(db.status).to.equal('closed');
    });

    it('leaves open a database handed in open when the store fails to open on it', async () => {
      await metaLevel(db).put(FORMAT_KEY, new TextEncoder().encode('other-format/9'));
      const err = await Store.open({ database: db }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as DaveError).code).to.equal('ERR_DATABASE');
      expect(db.status).to.equal('open');
    });
  });
}
