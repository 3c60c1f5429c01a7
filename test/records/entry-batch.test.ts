/** records/entry-batch, wire entryLayout and crypto checkWorkAt: the batch path's in-place reads agree with the decoders and checks they replace. */
import { expect } from 'chai';
import { MIN_WORK } from '../../lib/constants.js';
import { ready } from '../../lib/crypto/hash.js';
import { signingKey } from '../../lib/crypto/ed25519.js';
import { checkWorkAt, leadingZeroBits, workHash } from '../../lib/crypto/work.js';
import { ENTRY_DAT_AT, type EntryLayout, decodeEntry, encodeEntry, entryLayout } from '../../lib/wire/entry.js';
import { signDat as createDat, precheckDat, storeKey, verifyDat } from '../../lib/records/record.js';
import { EntryBatch, sameDatBytes, sameReplicaBytes } from '../../lib/records/entry-batch.js';
import { isDaveError } from '../../lib/errors.js';
import { vectorEntry } from '../wire/fixtures.js';

const owner = signingKey(new Uint8Array(32).fill(7));

async function entryBytes(key: string, time = Date.now() - 1000): Promise<Uint8Array> {
  const dat = await createDat({ key, value: `value of ${key}`, privateKey: owner, time });
  return encodeEntry({ dat, replicas: [1n, 2n, 0n, 0n, 0n] }).slice();
}

/** The code `fn` throws, or null. */
function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return isDaveError(err) ? err.code : 'not a DaveError';
  }
}

/** Deterministic bytes (xorshift), so a failure can be replayed. */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  };
}

describe('wire/entryLayout', () => {
  it('accepts exactly the bytes decodeEntry accepts, on the vector and 2000 mutations of it', () => {
    const good = encodeEntry(vectorEntry()).slice();
    const rnd = prng(42);
    const out: EntryLayout = { time: 0, keyLen: 0, valueLen: 0 };
    for (let n = 0; n < 2000; n++) {
      let b = good.slice();
      const kind = n % 4;
      if (kind === 0) b[rnd() % b.length] = rnd();
      else if (kind === 1) b = b.subarray(0, rnd() % b.length);
      else if (kind === 2) b = Uint8Array.from([...b, rnd()]);
      else b[40 + (rnd() % 2)] = rnd(); // the Dat's length
      const decoded = codeOf(() => decodeEntry(b)) === null;
      expect(entryLayout(b, out), `mutation ${n}`).to.equal(decoded);
      if (decoded) {
        const e = decodeEntry(b);
        expect([out.time, out.keyLen, out.valueLen]).to.deep.equal([e.dat.time, e.dat.key.length, e.dat.value.length]);
      }
    }
  });
});

describe('crypto/checkWorkAt', () => {
  it('gives the verdicts of leadingZeroBits and workHash on valid and mutated Dats', async () => {
    await ready();
    const b = await entryBytes('work');
    const rnd = prng(7);
    for (let n = 0; n < 300; n++) {
      const m = b.slice();
      if (n > 0) m[ENTRY_DAT_AT + 8 + (rnd() % 112)] ^= 1 << (rnd() % 8); // salt, work or sig
      const e = decodeEntry(m);
      const want = leadingZeroBits(e.dat.work) < MIN_WORK ? 1 : Buffer.compare(workHash(e.dat.salt, e.dat.sig), e.dat.work) === 0 ? 0 : 2;
      expect(checkWorkAt(m, ENTRY_DAT_AT, MIN_WORK), `mutation ${n}`).to.equal(want);
    }
    expect(checkWorkAt(b, ENTRY_DAT_AT, MIN_WORK)).to.equal(0);
    expect(checkWorkAt(b, ENTRY_DAT_AT, 257)).to.equal(1);
  });
});

describe('records/EntryBatch', () => {
  before(() => ready());

  it('keeps what decodes, refuses the rest, and hashes each store key as storeKey does', async () => {
    const batch = new EntryBatch();
    const a = await entryBytes('a');
    const b = await entryBytes('b');
    expect(batch.add(a)).to.equal(true);
    expect(batch.add(a.subarray(0, a.length - 1))).to.equal(false);
    expect(batch.add(b)).to.equal(true);
    expect(batch.count).to.equal(2);
    batch.prepare();
    for (let i = 0; i < 2; i++) {
      const e = decodeEntry(batch.entries[i]!);
      expect(batch.keys[i]).to.equal(storeKey(e.dat.pubKey, e.dat.key));
      expect(batch.dat(i)).to.deep.equal(e.dat);
    }
    expect(batch.entries[0]).to.equal(a); // the record's stored form is the bytes handed in, not a copy
  });

  it('runs the cheap checks and the signature check with verifyDat\'s verdicts', async () => {
    const now = Date.now();
    const cases: Uint8Array[] = [await entryBytes('ok'), await entryBytes('future', now + 60_000)];
    const badSig = await entryBytes('sig');
    badSig[ENTRY_DAT_AT + 56 + 3]! ^= 1; // the signature (so the work no longer matches either)
    cases.push(badSig);
    const badValue = await entryBytes('value');
    badValue[badValue.length - 1]! ^= 1; // the value: work fine, signature wrong
    cases.push(badValue);
    const batch = new EntryBatch();
    for (const c of cases) expect(batch.add(c)).to.equal(true);
    batch.prepare();
    for (let i = 0; i < cases.length; i++) {
      const dat = decodeEntry(cases[i]!).dat;
      expect(batch.precheck(i, now, 5000), `case ${i}`).to.equal(codeOf(() => precheckDat(dat, { now, maxClockSkew: 5000 })));
      if (batch.precheck(i, now, 5000) === null) {
        expect(batch.signatureValid(i), `case ${i}`).to.equal(codeOf(() => verifyDat(dat, { now, maxClockSkew: 5000 })) === null);
      }
    }
    expect(batch.signatureValid(0)).to.equal(true);
    expect(batch.signatureValid(3)).to.equal(false);
  });

  it('compares a Dat and its replicas as bytes', async () => {
    const a = await entryBytes('same');
    const b = a.slice();
    expect(sameDatBytes(a, b) && sameReplicaBytes(a, b)).to.equal(true);
    b[0] ^= 1; // a replica
    expect([sameDatBytes(a, b), sameReplicaBytes(a, b)]).to.deep.equal([true, false]);
    b[b.length - 1] ^= 1; // the value
    expect(sameDatBytes(a, b)).to.equal(false);
  });
});
