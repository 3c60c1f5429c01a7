/**
 * A listing of one owner's records costs in proportion to its limit, not
 * to the store (lib/node/views/local-view.ts, lib/store/owner-scan.ts): over
 * 30,000 records the entries read by a page are counted and bounded, and
 * paging through reads every record exactly once.
 */
import { expect } from 'chai';
import { FANOUT, SALT_LEN } from '../../../lib/constants.js';
import { LIST_SKIP_BUDGET, LocalView } from '../../../lib/node/views/local-view.js';
import { Store } from '../../../lib/store/store.js';
import type { StoreLike } from '../../../lib/store/types.js';
import type { Entry } from '../../../lib/wire/entry.js';

const A = new Uint8Array(32).fill(0xa1);
// Same owner ID (first 8 bytes) as A, another key: must never be listed as A's.
const A_TWIN = Uint8Array.from([...A.subarray(0, 8), ...new Uint8Array(24).fill(0x77)]);
const B = new Uint8Array(32).fill(0xb2);

function entry(pubKey: Uint8Array, key: string): Entry {
  return {
    replicas: Array<bigint>(FANOUT).fill(0n),
    dat: {
      time: 1_700_000_000_000,
      salt: new Uint8Array(SALT_LEN),
      work: new Uint8Array(32),
      sig: new Uint8Array(64),
      pubKey,
      key: new TextEncoder().encode(key),
      value: new TextEncoder().encode('v'),
    },
  };
}

/** The store, counting the entries read through it. */
function counting(store: Store): { store: StoreLike; reads: () => number; reset: () => void } {
  let reads = 0;
  const wrapped = Object.create(store) as StoreLike;
  wrapped.getByStoreKey = (sk) => (reads++, store.getByStoreKey(sk));
  wrapped.get = (p, k) => (reads++, store.get(p, k));
  wrapped.entries = async function* () {
    for await (const e of store.entries()) {
      reads++;
      yield e;
    }
  };
  return { store: wrapped, reads: () => reads, reset: () => (reads = 0) };
}

describe('node/local-view listing', function () {
  this.timeout(60_000);
  const N = 30_000;
  let store: Store;
  let view: LocalView;
  let c: ReturnType<typeof counting>;

  before(async () => {
    store = await Store.open({ capacity: 1 << 30 });
    const puts: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) puts.push(store.put(entry(A, `a/${String(i).padStart(5, '0')}`)));
    for (let i = 0; i < 1000; i++) puts.push(store.put(entry(B, `b/${i}`)));
    for (let i = 0; i < 50; i++) puts.push(store.put(entry(A_TWIN, `twin/${i}`)));
    await Promise.all(puts);
    c = counting(store);
    view = new LocalView({ store: c.store, intake: {} as never, id: 0n }, { pending: () => 0 }, () => {});
  });
  after(() => store?.close());

  it('a page reads at most `limit` entries, whatever the store holds', async () => {
    for (const limit of [1, 10, 100, 1000]) {
      c.reset();
      const page = await view.records(A, { limit });
      expect(page.entries).to.have.length(limit);
      expect(c.reads(), `limit ${limit}`).to.be.at.most(limit + 50); // + the twin owner's records, at worst
      expect(page.next).to.match(/^[0-9a-f]{16}$/);
    }
    c.reset();
    const b = await view.records(B, { limit: 1 });
    expect(b.entries.map((e) => e.dat.pubKey)).to.deep.equal([B]);
    expect(c.reads()).to.equal(1);
  });

  it('a prefix that matches little reads at most limit + LIST_SKIP_BUDGET, and pages on', async () => {
    c.reset();
    const page = await view.records(A, { prefix: 'nothing/', limit: 5 });
    expect(page.entries).to.have.length(0);
    expect(c.reads()).to.be.at.most(5 + LIST_SKIP_BUDGET);
    expect(page.next).to.not.equal(null); // short page: go on from the cursor
  });

  it('paging through reads each record once and lists exactly the owner\'s records', async () => {
    c.reset();
    const seen = new Set<string>();
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await view.records(A, { limit: 1000, after });
      pages++;
      for (const e of page.entries) {
        expect(e.dat.pubKey).to.deep.equal(A);
        const k = Buffer.from(e.dat.key).toString();
        expect(seen.has(k), k).to.equal(false);
        seen.add(k);
      }
      if (page.next === null) break;
      after = page.next;
      expect(pages).to.be.below(100);
    }
    expect(seen.size).to.equal(N);
    expect(c.reads()).to.equal(N + 50); // A's entries, and the twin's (read, then filtered by the full key)
    const b = await view.records(B, { prefix: 'b/1', limit: 1000 });
    const want = Array.from({ length: 1000 }, (_, i) => `b/${i}`).filter((k) => k.startsWith('b/1')).sort();
    expect(b.entries.map((e) => Buffer.from(e.dat.key).toString())).to.deep.equal(want); // in key order within the page
  });

  it('20 listings at once over 30,000 records each read only their page', async () => {
    c.reset();
    const pages = await Promise.all(Array.from({ length: 20 }, () => view.records(A, { limit: 1 })));
    for (const p of pages) expect(p.entries).to.have.length(1);
    expect(c.reads()).to.be.at.most(20 * (1 + 50));
  });
});
