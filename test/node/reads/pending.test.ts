/** node/reads/pending.ts: reads in flight (docs/protocol.md §11), deadlines on a virtual clock. */
import { expect } from 'chai';
import { MAX_WIDEN, PendingReads, WAVE_WAIT_MS } from '../../../lib/node/reads/pending.js';
import { notFoundEntry } from '../../../lib/wire/message.js';
import type { AddressKey } from '../../../lib/wire/address.js';
import { testServices } from '../support/services.js';

const clock = testServices();
const timers = { set: (fn: () => void, ms: number) => clock.timers.timeout(fn, ms), clear: (h: unknown) => clock.timers.clear(h) };

describe('node/reads/pending', () => {
  it('fails with ERR_NOT_FOUND only when every asked peer said not found', async () => {
    const r = new PendingReads(10);
    const p = r.wait('x', ['a', 'b'], 5_000, undefined, timers);
    r.notFound('x', 'a');
    r.notFound('x', 'c'); // not asked: ignored
    expect(r.size).to.equal(1);
    r.notFound('x', 'b');
    const err = await p.catch((e) => e);
    expect(err.code).to.equal('ERR_NOT_FOUND');
    expect(r.size).to.equal(0);
  });
  it('a found answer settles every caller; a timeout and an abort settle one', async () => {
    const r = new PendingReads(10);
    const p1 = r.wait('x', ['a'], 5_000, undefined, timers);
    const p2 = r.wait('x', ['b'], 5_000, undefined, timers);
    const entry = notFoundEntry(new Uint8Array(32), new Uint8Array(1));
    r.found('x', entry);
    expect(await p1).to.equal(entry);
    expect(await p2).to.equal(entry);
    const waiting = r.wait('y', ['a'], 10, undefined, timers).catch((e) => e);
    clock.advance(10);
    const t = await waiting;
    expect(t.code).to.equal('ERR_TIMEOUT');
    const ac = new AbortController();
    const pa = r.wait('z', ['a'], 5_000, ac.signal, timers);
    ac.abort();
    expect((await pa.catch((e) => e)).code).to.equal('ERR_ABORTED');
    expect(r.size).to.equal(0);
  });
  it('is bounded', () => {
    const r = new PendingReads(1);
    void r.wait('x', ['a'], 5_000, undefined, timers).catch(() => {});
    expect(r.hasRoom('x')).to.equal(true);
    expect(r.hasRoom('y')).to.equal(false);
    r.abortAll();
  });
  it('a verification outliving its read does not touch the next read for the same key', async () => {
    const r = new PendingReads(10);
    const a = r.wait('x', ['p'], 30, undefined, timers).catch((e) => e.code);
    const handle = r.offer('x', notFoundEntry(new Uint8Array(32), new Uint8Array(1)), 'p'); // p's answer is being verified when a expires
    clock.advance(30);
    expect(await a).to.equal('ERR_TIMEOUT');
    const b = r.wait('x', ['p', 'q'], 5_000, undefined, timers).catch((e) => e.code);
    r.verified(handle, 'x', false, 'p'); // a's bad answer: nothing to do with b
    r.notFound('x', 'p');
    expect(r.size).to.equal(1);
    r.notFound('x', 'q');
    expect(await b).to.equal('ERR_NOT_FOUND'); // at once, not after 5 s
    expect(r.size).to.equal(0);
  });
  it('holds a second found answer while one is verified; hands it out only when that one fails', async () => {
    const r = new PendingReads(10);
    const e1 = notFoundEntry(new Uint8Array(32), new Uint8Array(1));
    const e2 = notFoundEntry(new Uint8Array(32), new Uint8Array(2));
    const p = r.wait('x', ['a', 'b', 'c'], 5_000, undefined, timers).catch((e) => e.code);
    const h = r.offer('x', e1, 'a');
    expect(h).to.not.equal(null);
    expect(r.offer('x', e2, 'b'), 'b waits: a is being verified').to.equal(null);
    r.notFound('x', 'c');
    const next = r.verified(h, 'x', false, 'a');
    expect(next).to.deep.equal({ entry: e2, from: 'b' });
    expect(r.size, 'b is still to be verified: not yet not-found').to.equal(1);
    expect(r.verified(h, 'x', false, 'b')).to.equal(null);
    expect(await p).to.equal('ERR_NOT_FOUND');
    // a good first answer drops the held ones
    const q = r.wait('y', ['a', 'b'], 5_000, undefined, timers);
    const hy = r.offer('y', e1, 'a');
    r.offer('y', e2, 'b');
    expect(r.verified(hy, 'y', true, 'a')).to.equal(null);
    r.found('y', e1);
    expect(await q).to.equal(e1);
    expect(r.offer('z', e1, 'a'), 'no read open').to.equal(null);
  });
  it('not-founds wait for a found answer being verified; a bad one then fails the read', async () => {
    const r = new PendingReads(10);
    const p = r.wait('x', ['a', 'b'], 5_000, undefined, timers).catch((e) => e.code);
    const handle = r.offer('x', notFoundEntry(new Uint8Array(32), new Uint8Array(1)), 'a');
    r.notFound('x', 'b');
    expect(r.size).to.equal(1);
    r.verified(handle, 'x', false, 'a');
    expect(await p).to.equal('ERR_NOT_FOUND');
  });

  describe('widening (trust on: the closest said not found, the next are asked)', () => {
    function widener(pool: string[]) {
      const waves: string[][] = [];
      return {
        waves,
        widen: (asked: ReadonlySet<AddressKey>) => {
          const more = pool.filter((p) => !asked.has(p)).slice(0, 2);
          if (more.length > 0) waves.push(more);
          return more;
        },
      };
    }

    it('a silent wave past the closest ends after WAVE_WAIT_MS as not found, not at the read timeout', async () => {
      const r = new PendingReads(10);
      const w = widener(['c', 'd', 'e', 'f', 'g', 'h']);
      let settled: string | null = null;
      const p = r.wait('x', ['a', 'b'], 5_000, undefined, timers, w.widen).catch((e) => (settled = e.code));
      r.notFound('x', 'a');
      r.notFound('x', 'b');
      expect(w.waves).to.deep.equal([['c', 'd']]);
      clock.advance(WAVE_WAIT_MS - 1);
      expect(w.waves.length).to.equal(1);
      clock.advance(1); // c and d stayed silent: the second wave
      expect(w.waves).to.deep.equal([['c', 'd'], ['e', 'f']]);
      await Promise.resolve();
      expect(settled).to.equal(null);
      clock.advance(WAVE_WAIT_MS);
      expect(await p).to.equal('ERR_NOT_FOUND');
      expect(w.waves.length).to.equal(MAX_WIDEN); // never more waves than MAX_WIDEN
      expect(r.size).to.equal(0);
      clock.advance(10_000); // no timer left behind fires into a finished read
      expect(w.waves.length).to.equal(MAX_WIDEN);
    });

    it('a found answer from a widened peer still wins, and one being verified at the wave deadline decides', async () => {
      const r = new PendingReads(10);
      const w = widener(['c', 'd']);
      const p = r.wait('x', ['a'], 5_000, undefined, timers, w.widen);
      r.notFound('x', 'a');
      const entry = notFoundEntry(new Uint8Array(32), new Uint8Array(2));
      const handle = r.offer('x', entry, 'c');
      clock.advance(WAVE_WAIT_MS); // the wave's wait passes while c's answer is verified
      expect(r.size).to.equal(1);
      r.verified(handle, 'x', true, 'c');
      r.found('x', entry);
      expect(await p).to.equal(entry);
    });

    it('a bad answer verified past the wave deadline ends the wave (next wave, then not found)', async () => {
      const r = new PendingReads(10);
      const w = widener(['c', 'd']);
      const p = r.wait('x', ['a'], 5_000, undefined, timers, w.widen).catch((e) => e.code);
      r.notFound('x', 'a');
      const handle = r.offer('x', notFoundEntry(new Uint8Array(32), new Uint8Array(2)), 'c');
      clock.advance(WAVE_WAIT_MS);
      r.verified(handle, 'x', false, 'c'); // no peer left to widen to: the read fails now
      expect(await p).to.equal('ERR_NOT_FOUND');
    });

    it('the read timeout once the closest said not found answers ERR_NOT_FOUND; before, ERR_TIMEOUT', async () => {
      const r = new PendingReads(10);
      const w = widener(['c', 'd']);
      const p = r.wait('x', ['a'], 300, undefined, timers, w.widen).catch((e) => e);
      r.notFound('x', 'a');
      clock.advance(300);
      const err = await p;
      expect(err.code).to.equal('ERR_NOT_FOUND');
      expect(err.message).to.match(/closest peers said not found/);
      const q = r.wait('y', ['a', 'b'], 300, undefined, timers, w.widen).catch((e) => e.code);
      r.notFound('y', 'a'); // b silent: nothing is known
      clock.advance(300);
      expect(await q).to.equal('ERR_TIMEOUT');
      expect(r.size).to.equal(0);
    });
  });
});
