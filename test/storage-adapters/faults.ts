/**
 * The store on a database that fails (faulty-level.ts), run for every
 * adapter: writes refused with ERR_STORAGE_UNAVAILABLE while it fails,
 * reads served, recovery by itself after the fault clears, and nothing
 * acknowledged lost (the database holds exactly the acknowledged records).
 */
import { expect } from 'chai';
import { Store } from '../../lib/store/store.js';
import { isDaveError } from '../../lib/errors.js';
import type { AnyLevel } from '../../lib/store/layout.js';
import type { StoreHealth } from '../../lib/store/health.js';
import type { Entry } from '../../lib/wire/entry.js';
import { keyOf, makeEntry } from '../store/helpers.js';
import type { FaultPlan } from './faulty-level.js';

export interface FaultHarness {
  create(): Promise<AnyLevel & { faults: FaultPlan }>;
  destroy(): Promise<void>;
}

const RETRY = { minMs: 5, maxMs: 40 };

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Puts `es` together: the acknowledged ones, and the codes of the rest. */
async function putAll(store: Store, es: Entry[]): Promise<{ acked: Entry[]; codes: Set<string> }> {
  const acked: Entry[] = [];
  const codes = new Set<string>();
  await Promise.all(
    es.map((e) =>
      store.put(e).then(
        () => void acked.push(e),
        (err: unknown) => void codes.add((err as { code?: string }).code ?? String(err)),
      ),
    ),
  );
  return { acked, codes };
}

async function expectHolds(db: AnyLevel, acked: Entry[]): Promise<void> {
  const store = await Store.open({ database: db });
  try {
    expect(store.count()).to.equal(acked.length);
    for (const e of acked) expect(await store.get(e.dat.pubKey, e.dat.key)).to.deep.equal(e);
  } finally {
    await store.close();
  }
}

export function faultSuite(name: string, h: FaultHarness): void {
  describe(`storage adapter: ${name}, with faults`, () => {
    let db: AnyLevel & { faults: FaultPlan };
    beforeEach(async () => {
      db = await h.create();
    });
    afterEach(async () => {
      if (db.status !== 'closed') await db.close();
      await h.destroy();
    });

    it('fail the next N writes: the failed ones get ERR_STORAGE_UNAVAILABLE, the store recovers, nothing acknowledged is lost', async () => {
      const health: StoreHealth[] = [];
      const store = await Store.open({ database: db, retry: RETRY, onHealth: (x) => health.push(x) });
      const first = await putAll(store, Array.from({ length: 50 }, (_, i) => makeEntry({ key: `a${i}` })));
      expect(first.acked.length).to.equal(50);
      db.faults.failNextWrites(3);
      const during = await putAll(store, Array.from({ length: 50 }, (_, i) => makeEntry({ key: `b${i}` })));
      expect([...during.codes]).to.deep.equal(['ERR_STORAGE_UNAVAILABLE']);
      expect(store.count()).to.equal(50 + during.acked.length);
      await until(() => store.health().status === 'ok');
      expect(health.map((x) => x.status)).to.deep.equal(['degraded', 'ok']);
      expect(health[0]!.lastError?.cause).to.equal('disk full');
      expect(health[0]!.lastError?.advice).to.match(/free space/);
      const after = await putAll(store, Array.from({ length: 50 }, (_, i) => makeEntry({ key: `c${i}` })));
      expect(after.acked.length).to.equal(50);
      await store.close();
      await expectHolds(db, [...first.acked, ...during.acked, ...after.acked]);
    });

    it('fail until released: every write is refused at once, reads are served, and it resumes without a restart', async () => {
      const store = await Store.open({ database: db, retry: RETRY, cacheCapacity: 0 });
      const kept = Array.from({ length: 20 }, (_, i) => makeEntry({ key: `k${i}` }));
      await putAll(store, kept);
      const release = db.faults.failWritesUntilReleased('IO error: /data/000007.log: Permission denied');
      const refused = await putAll(store, [makeEntry({ key: 'x' }), makeEntry({ key: 'k0', value: 'newer', time: kept[0]!.dat.time + 1 })]);
      expect(refused.acked.length).to.equal(0);
      expect(store.health().status).to.equal('degraded');
      expect(store.health().lastError?.cause).to.equal('permissions');
      // refused at once, without reaching the database
      const before = db.faults.failedWrites;
      const t0 = performance.now();
      const err = await store.put(makeEntry({ key: 'y' })).catch((e: unknown) => e);
      expect(isDaveError(err, 'ERR_STORAGE_UNAVAILABLE'), String(err)).to.equal(true);
      expect((err as Error).message).to.match(/Permission denied/);
      expect((err as Error).cause).to.be.an('error');
      expect(performance.now() - t0).to.be.below(50);
      expect(db.faults.failedWrites - before).to.be.at.most(1); // at most a probe ran meanwhile
      // reads from the database (no cache): the stored values, not the refused replacement
      for (const e of kept) expect(await store.get(e.dat.pubKey, e.dat.key)).to.deep.equal(e);
      expect(await store.getByStoreKey(keyOf(makeEntry({ key: 'x' })))).to.equal(undefined);
      await new Promise((r) => setTimeout(r, 60)); // a few probes fail
      expect(store.health().status).to.equal('degraded');
      release();
      await until(() => store.health().status === 'ok');
      expect(store.health().recoveries).to.equal(1);
      const later = makeEntry({ key: 'later' });
      await store.put(later);
      await store.close();
      await expectHolds(db, [...kept, later]);
    });

    it('fail reads: a read that reaches the database fails with ERR_DATABASE, cached values are served, writes go on', async () => {
      const store = await Store.open({ database: db, retry: RETRY });
      const cached = makeEntry({ key: 'cached' });
      await store.put(cached);
      await store.close();
      const reopened = await Store.open({ database: db, retry: RETRY });
      const fresh = makeEntry({ key: 'fresh' });
      await reopened.put(fresh); // cached once committed
      db.faults.failReads(true);
      const err = await reopened.get(cached.dat.pubKey, cached.dat.key).catch((e: unknown) => e);
      expect(isDaveError(err, 'ERR_DATABASE'), String(err)).to.equal(true);
      expect(await reopened.get(fresh.dat.pubKey, fresh.dat.key)).to.deep.equal(fresh);
      await reopened.put(makeEntry({ key: 'more' }));
      expect(reopened.health().status).to.equal('ok');
      db.faults.failReads(false);
      expect(await reopened.get(cached.dat.pubKey, cached.dat.key)).to.deep.equal(cached);
      await reopened.close();
    });
  });
}
