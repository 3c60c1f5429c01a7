/**
 * Listings in flight are bounded (lib/api/limit.ts): with MAX_LISTINGS
 * held open, every further listing is answered at once with 503 ERR_BUSY
 * and Retry-After, and the slots come back when the listings end.
 */
import { expect } from 'chai';
import { InFlight, MAX_LISTINGS } from '../../lib/api/limit.js';
import { type Served, raw, serve } from './support/raw.js';

describe('api/limit', function () {
  this.timeout(20_000);

  it('InFlight runs at most max at once and frees a slot when a run fails', async () => {
    const f = new InFlight('things', 2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = f.run(() => gate);
    const b = f.run(() => Promise.reject(new Error('boom')));
    await b.catch(() => {});
    const c = f.run(() => gate);
    expect(f.count).to.equal(2);
    await f.run(async () => 1).then(
      () => expect.fail('a third ran'),
      (err) => expect([err.status, err.code]).to.deep.equal([503, 'ERR_BUSY']),
    );
    release();
    await Promise.all([a, c]);
    expect(f.count).to.equal(0);
    expect(await f.run(async () => 7)).to.equal(7);
  });

  describe('GET /records/:owner', () => {
    let s: Served;
    before(async () => (s = await serve()));
    after(() => s?.close());

    it('20 parallel listings: MAX_LISTINGS run, the rest get 503 with Retry-After, then it serves again', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const real = s.client.list.bind(s.client);
      let started = 0;
      s.client.list = async (owner, o) => {
        started++;
        await gate; // a listing that takes its time
        return real(owner, o);
      };
      const answers = Array.from({ length: 20 }, () => raw({ port: s.port }, 'GET', '/records/me?limit=1', { host: 'localhost' }));
      const busy: Awaited<(typeof answers)[number]>[] = [];
      // the refused ones answer while the others still wait
      const settled = answers.map((p) => p.then((r) => (r.status === 503 && busy.push(r), r)));
      for (let i = 0; i < 200 && busy.length < 20 - MAX_LISTINGS; i++) await new Promise((r) => setTimeout(r, 10));
      expect(busy).to.have.length(20 - MAX_LISTINGS);
      expect(started).to.equal(MAX_LISTINGS);
      for (const r of busy) {
        expect(r.json!.code).to.equal('ERR_BUSY');
        expect(r.headers['retry-after']).to.equal('1');
      }
      release();
      const all = await Promise.all(settled);
      expect(all.filter((r) => r.status === 200)).to.have.length(MAX_LISTINGS);
      s.client.list = real;
      const again = await raw({ port: s.port }, 'GET', '/records/me', { host: 'localhost' });
      expect(again.status).to.equal(200);
    });
  });
});
