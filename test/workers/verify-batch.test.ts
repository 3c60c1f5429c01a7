/**
 * workers/verify-batch: the verify pool's packed hand-off round-trips every
 * field of every Dat, whatever the key and value lengths.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createDat } from '../../lib/workers/create-dat.js';
import { type VerifyItem, packBatch, packable, unpackBatch } from '../../lib/workers/verify-batch.js';

describe('workers/verify-batch', () => {
  it('unpacks what it packed: clock, skew and every Dat field, as views of one buffer', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const items: VerifyItem[] = [];
    for (const [k, v] of [['', ''], ['k', 'v'], ['key-'.repeat(60), 'x'.repeat(900)]] as const) {
      const dat = await createDat({ key: k, value: v, privateKey: seed, time: 1_700_000_000_123 });
      items.push({ dat, now: 1_700_000_000_456 + items.length, skew: 5000 + items.length });
    }
    const packed = packBatch(items);
    const back = unpackBatch(packed);
    expect(back).to.have.length(items.length);
    back.forEach((b, i) => {
      const a = items[i]!;
      expect(b.now).to.equal(a.now);
      expect(b.skew).to.equal(a.skew);
      expect(b.dat.time).to.equal(a.dat.time);
      for (const f of ['salt', 'work', 'sig', 'pubKey', 'key', 'value'] as const) {
        expect(Buffer.from(b.dat[f]).equals(Buffer.from(a.dat[f])), f).to.equal(true);
        expect(b.dat[f].buffer).to.equal(packed.buffer);
      }
    });
  });
  it('packs only Dats of the wire sizes', async () => {
    const d = await createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(randomBytes(32)) });
    expect(packable(d)).to.equal(true);
    expect(packable({ ...d, sig: d.sig.subarray(1) })).to.equal(false);
    expect(packable({ ...d, key: 'k' as never })).to.equal(false);
    expect(packable({ ...d, time: '1' as never })).to.equal(false);
  });
});
