/**
 * api/owners: the top owners by records held. Exact with few owners;
 * with more distinct owners than counters (a stranger inventing keys) the
 * memory stays at the counters, the heavy owner is still first and its
 * count is a lower bound within records / (slots + 1); one scan serves
 * every caller while fresh.
 */
import { expect } from 'chai';
import { TopOwners, countOwners } from '../../lib/api/owners.js';
import type { Entry } from '../../lib/wire/entry.js';

function entry(ownerByte: number, n = 0): Entry {
  const pubKey = new Uint8Array(32);
  pubKey[0] = ownerByte & 0xff;
  pubKey[1] = ownerByte >> 8;
  pubKey[31] = n & 0xff;
  return { dat: { pubKey } } as unknown as Entry;
}

async function* entries(list: Entry[]): AsyncIterable<Entry> {
  yield* list;
}

const hex = (e: Entry) => Buffer.from(e.dat.pubKey).toString('hex');

describe('api/owners', () => {
  it('counts exactly with at most `slots` owners, most first, then by key', async () => {
    const list = [entry(1), entry(2), entry(2), entry(3), entry(2), entry(3)];
    const r = await countOwners(entries(list), 2, 8);
    expect(r).to.deep.equal({
      owners: [
        { owner: hex(entry(2)), records: 3 },
        { owner: hex(entry(3)), records: 2 },
      ],
      scanned: 6,
      approximate: false,
    });
  });

  it('with 2 000 one-record owners and 16 counters: the owner of 300 records is first, its count a lower bound within n/(slots+1)', async () => {
    const list: Entry[] = [];
    for (let i = 0; i < 2000; i++) {
      list.push(entry(1000 + i));
      if (i % 7 === 0) list.push(entry(7));
    }
    const heavy = list.filter((e) => e.dat.pubKey[0] === 7 && e.dat.pubKey[1] === 0).length;
    const r = await countOwners(entries(list), 3, 16);
    expect(r.approximate).to.equal(true);
    expect(r.scanned).to.equal(list.length);
    expect(r.owners[0]!.owner).to.equal(hex(entry(7)));
    expect(r.owners[0]!.records).to.be.at.most(heavy);
    expect(r.owners[0]!.records).to.be.at.least(heavy - Math.floor(list.length / 17));
  });

  it('one scan for concurrent callers, kept for maxAgeMs, then a new one', async () => {
    let scans = 0;
    let now = 1000;
    const top = new TopOwners(
      () => {
        scans++;
        return entries([entry(1)]);
      },
      { maxAgeMs: 100, now: () => now },
    );
    const [a, b] = await Promise.all([top.get(), top.get()]);
    expect(scans).to.equal(1);
    expect(a).to.equal(b);
    expect(a.at).to.equal(1000);
    now += 50;
    await top.get();
    expect(scans).to.equal(1);
    now += 100;
    await top.get();
    expect(scans).to.equal(2);
  });
});
