/**
 * records/provenance: only the unchanged objects createDat returned in
 * this process are signedHere(); the verify pool then skips their
 * signature and work hash, and verifies everything else in full.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createDat } from '../../lib/workers/create-dat.js';
import { signedHere } from '../../lib/records/provenance.js';
import { decodeDat, encodeDat } from '../../lib/wire/dat.js';
import type { Dat } from '../../lib/wire/dat.js';
import { VerifyPool } from '../../lib/workers/verify-pool.js';

const make = (key = 'k', opts: { time?: number; difficulty?: number } = {}) =>
  createDat({ key, value: 'value', privateKey: new Uint8Array(randomBytes(32)), ...opts });

describe('records/provenance', () => {
  it('holds for the object createDat returned, untouched', async () => {
    expect(signedHere(await make())).to.equal(true);
  });
  it('does not hold for a copy, a decoded record, or a hand-made object', async () => {
    const d = await make();
    expect(signedHere({ ...d })).to.equal(false);
    expect(signedHere(decodeDat(encodeDat(d)))).to.equal(false);
    expect(signedHere({ time: d.time, salt: d.salt, work: d.work, sig: d.sig, pubKey: d.pubKey, key: d.key, value: d.value })).to.equal(false);
  });
  it('stops holding when any byte or field changes after creation', async () => {
    const fields = ['sig', 'work', 'salt', 'pubKey', 'key', 'value'] as const;
    for (const f of fields) {
      const d = await make();
      d[f][0] ^= 1;
      expect(signedHere(d), `${f} changed in place`).to.equal(false);
      d[f][0] ^= 1;
      expect(signedHere(d), `${f} changed back`).to.equal(true);
      (d as unknown as Record<string, unknown>)[f] = Uint8Array.from(d[f]);
      expect(signedHere(d), `${f}: an equal copy is fine`).to.equal(true);
      (d as unknown as Record<string, unknown>)[f] = new Uint8Array(d[f].length + 1);
      expect(signedHere(d), `${f} replaced`).to.equal(false);
    }
    const d = await make();
    d.time += 1;
    expect(signedHere(d), 'time changed').to.equal(false);
    const e = await make();
    (e as { value: unknown }).value = 'value';
    expect(signedHere(e), 'a field that is not bytes').to.equal(false);
  });
  it('the verify pool skips only what it proves: tampered records are refused, clock and work still checked', async () => {
    const pool = new VerifyPool({ workers: 0 });
    const now = Date.now();
    const verdict = (d: Dat) => pool.verify(d, now).then(() => 'ok', (e) => e.code);
    const good = await make();
    expect(await verdict(good)).to.equal('ok');
    expect(pool.madeHere).to.equal(1);
    const v = await make();
    v.value[1] ^= 0x20;
    expect(await verdict(v)).to.equal('ERR_BAD_SIGNATURE');
    const k = await make();
    k.key[0] ^= 1;
    expect(await verdict(k)).to.equal('ERR_BAD_SIGNATURE');
    const s = await make();
    s.sig[5] ^= 1;
    expect(await verdict(s)).to.equal('ERR_BAD_WORK');
    expect(pool.madeHere).to.equal(1);
    // made here, unchanged, but not acceptable: the skip does not cover these
    expect(await verdict(await make('f', { time: now + 60_000 }))).to.equal('ERR_FUTURE_TIME');
    expect(await verdict(await make('w', { difficulty: 0 }))).to.be.oneOf(['ok', 'ERR_INSUFFICIENT_WORK']);
    const weak = await make('w2', { difficulty: 0 });
    if (weak.work[0] !== 0) expect(await verdict(weak)).to.equal('ERR_INSUFFICIENT_WORK');
    await pool.close();
  });
});
