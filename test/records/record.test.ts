/**
 * lib/records/record.ts: creating records (limits, inputs, defaults),
 * verifying them in the order of docs/protocol.md §4 with the clock-skew tolerance, and
 * the IDs and keys derived from public keys.
 */
import { expect } from 'chai';
import { MAX_CLOCK_SKEW_MS, MAX_KV_LEN, MAX_MSG_LEN, MIN_WORK, OP } from '../../lib/constants.js';
import { rejectsCode, throwsCode } from '../support/assert.js';
import { signingKey } from '../../lib/crypto/ed25519.js';
import { blake3Reference, xxhash64 } from '../../lib/crypto/hash.js';
import { leadingZeroBits, solveWork } from '../../lib/crypto/work.js';
import { datSigningHash, entrySize, nodeId, shardOf, storeKey, verifyDat, signDat } from '../../lib/records/record.js';
import { fromHex, toHex, writeU64 } from '../../lib/wire/bytes.js';
import type { Dat } from '../../lib/wire/dat.js';
import { encodeMessage } from '../../lib/wire/message.js';

const seed = new Uint8Array(32).fill(21);
const T = 1_732_000_000_000;
const enc = (s: string) => new TextEncoder().encode(s);


describe('records/record', () => {
  let dat: Dat;
  before(async () => {
    dat = await signDat({ key: 'k', value: 'v', privateKey: seed, time: T });
  });

  it('refuses a 256-byte key with ERR_TOO_LARGE', async () => {
    await rejectsCode(signDat({ key: new Uint8Array(256), value: '', privateKey: seed }), 'ERR_TOO_LARGE');
    await rejectsCode(signDat({ key: 'é'.repeat(128), value: '', privateKey: seed }), 'ERR_TOO_LARGE'); // 256 UTF-8 bytes
  });

  it('refuses key + value of 1225 bytes with ERR_TOO_LARGE', async () => {
    await rejectsCode(signDat({ key: new Uint8Array(255), value: new Uint8Array(970), privateKey: seed }), 'ERR_TOO_LARGE');
    await rejectsCode(signDat({ key: '', value: new Uint8Array(MAX_KV_LEN + 1), privateKey: seed }), 'ERR_TOO_LARGE');
  });

  it('accepts key + value of 1224 bytes, whose PUT is exactly 1424 bytes', async () => {
    const big = await signDat({ key: new Uint8Array(255).fill(1), value: new Uint8Array(969).fill(2), privateKey: seed, time: T });
    expect(() => verifyDat(big, { now: T })).not.to.throw();
    const put = encodeMessage({ op: OP.PUT, entry: { dat: big, replicas: [1n, 2n, 3n, 4n, 5n] } });
    expect(put.length).to.equal(MAX_MSG_LEN);
  });

  it('gives the same record for a string and its UTF-8 bytes', async () => {
    const a = await signDat({ key: 'clé', value: 'välue', privateKey: seed, time: T });
    const b = await signDat({ key: enc('clé'), value: enc('välue'), privateKey: seed, time: T });
    expect(toHex(a.sig)).to.equal(toHex(b.sig));
    expect(toHex(a.salt)).to.equal(toHex(b.salt));
    expect(toHex(a.key)).to.equal(toHex(enc('clé')));
  });

  it('gives the same record for a seed and for its SigningKey', async () => {
    const a = await signDat({ key: 'k', value: 'v', privateKey: signingKey(seed), time: T });
    expect(toHex(a.sig)).to.equal(toHex(dat.sig));
    expect(toHex(a.pubKey)).to.equal(toHex(dat.pubKey));
  });

  it('copies key and value: changing the caller’s bytes later changes nothing', async () => {
    const key = enc('key');
    const d = await signDat({ key, value: 'v', privateKey: seed, time: T });
    key[0] = 0;
    expect(toHex(d.key)).to.equal(toHex(enc('key')));
  });

  it('defaults time to now and difficulty to MIN_WORK (godave’s salt at 8 bits)', async () => {
    const before = Date.now();
    const d = await signDat({ key: 'k', value: 'v', privateKey: seed });
    const after = Date.now();
    expect(d.time).to.be.within(before, after);
    expect(leadingZeroBits(d.work)).to.be.at.least(MIN_WORK);
    expect(toHex(d.salt)).to.equal(toHex(solveWork(d.sig, MIN_WORK)!.salt));
    expect(() => verifyDat(d)).not.to.throw();
  });

  it('takes its proof-of-work search as an argument (records stay pure: no worker pool here)', async () => {
    const asked: [string, number][] = [];
    const inline = await signDat({ key: 'k', value: 'v', privateKey: seed, time: T, difficulty: 4 });
    const viaSolver = await signDat({ key: 'k', value: 'v', privateKey: seed, time: T, difficulty: 4 }, (sig, bits) => {
      asked.push([toHex(sig), bits]);
      return solveWork(sig, bits)!;
    });
    expect(asked).to.deep.equal([[toHex(inline.sig), 4]]);
    expect(toHex(viaSolver.salt)).to.equal(toHex(inline.salt));
    // what the search returns is what the record carries: a wrong one fails verification
    const junk = await signDat({ key: 'k', value: 'v', privateKey: seed, time: T }, async () => ({ salt: new Uint8Array(32), work: new Uint8Array(32) }));
    expect(toHex(junk.work)).to.equal('00'.repeat(32));
    throwsCode(() => verifyDat(junk, { now: T }), 'ERR_BAD_WORK');
  });

  it('refuses bad arguments with ERR_INVALID_ARGUMENT', async () => {
    const ok = { key: 'k', value: 'v', privateKey: seed };
    await rejectsCode(signDat(null as never), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, key: 5 as never }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, value: null as never }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, privateKey: new Uint8Array(31) }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, privateKey: {} as never }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, time: -1 }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, time: 1.5 }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, difficulty: 257 }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, difficulty: -1 }), 'ERR_INVALID_ARGUMENT');
    await rejectsCode(signDat({ ...ok, difficulty: 8.5 }), 'ERR_INVALID_ARGUMENT');
  });

  it('accepts a time up to MAX_CLOCK_SKEW_MS ahead of now and refuses one 1 ms more (ERR_FUTURE_TIME)', () => {
    expect(MAX_CLOCK_SKEW_MS).to.equal(5_000);
    expect(() => verifyDat(dat, { now: T - MAX_CLOCK_SKEW_MS })).not.to.throw();
    throwsCode(() => verifyDat(dat, { now: T - MAX_CLOCK_SKEW_MS - 1 }), 'ERR_FUTURE_TIME');
  });

  it('applies a custom maxClockSkew, 0 being Go’s rule', () => {
    expect(() => verifyDat(dat, { now: T, maxClockSkew: 0 })).not.to.throw();
    throwsCode(() => verifyDat(dat, { now: T - 1, maxClockSkew: 0 }), 'ERR_FUTURE_TIME');
    expect(() => verifyDat(dat, { now: T - 60_000, maxClockSkew: 60_000 })).not.to.throw();
  });

  it('checks in the spec’s order: time, public key, work bits, work hash, signature', () => {
    const badSig = Uint8Array.from(dat.sig);
    badSig[0] ^= 1;
    // a future record whose signature is also bad is refused for its time
    throwsCode(() => verifyDat({ ...dat, sig: badSig }, { now: T - 60_000 }), 'ERR_FUTURE_TIME');
    // a short public key wins over insufficient work
    throwsCode(() => verifyDat({ ...dat, pubKey: dat.pubKey.subarray(0, 31), work: new Uint8Array(32).fill(0xff) }, { now: T }), 'ERR_BAD_PUBKEY');
    // insufficient work wins over a wrong work hash
    throwsCode(() => verifyDat({ ...dat, work: new Uint8Array(32).fill(0xff) }, { now: T }), 'ERR_INSUFFICIENT_WORK');
    // a wrong work hash (with enough zero bits) wins over the signature
    const fakeWork = new Uint8Array(32);
    fakeWork[31] = 1;
    throwsCode(() => verifyDat({ ...dat, work: fakeWork, sig: badSig }, { now: T }), 'ERR_BAD_WORK');
    // a bad signature whose work was redone for it fails last
    const redone = solveWork(badSig, MIN_WORK)!;
    throwsCode(() => verifyDat({ ...dat, sig: badSig, salt: redone.salt, work: redone.work }, { now: T }), 'ERR_BAD_SIGNATURE');
    // a changed value, key or time breaks the signature
    throwsCode(() => verifyDat({ ...dat, value: enc('w') }, { now: T }), 'ERR_BAD_SIGNATURE');
    throwsCode(() => verifyDat({ ...dat, key: enc('j') }, { now: T }), 'ERR_BAD_SIGNATURE');
    throwsCode(() => verifyDat({ ...dat, time: T - 1 }, { now: T }), 'ERR_BAD_SIGNATURE');
  });

  it('applies the minWork option', async () => {
    // find a record with fewer than 16 bits, as nearly every 8-bit one has
    let d = dat;
    for (let i = 0; leadingZeroBits(d.work) >= 16; i++) {
      d = await signDat({ key: `k${i}`, value: 'v', privateKey: seed, time: T });
    }
    throwsCode(() => verifyDat(d, { now: T, minWork: 16 }), 'ERR_INSUFFICIENT_WORK');
    expect(() => verifyDat(d, { now: T, minWork: 0 })).not.to.throw();
    const strong = await signDat({ key: 'k', value: 'v', privateKey: seed, time: T, difficulty: 12 });
    expect(() => verifyDat(strong, { now: T, minWork: 12 })).not.to.throw();
  });

  it('signs blake3(key ‖ value ‖ time as u64 LE)', () => {
    const t = new Uint8Array(8);
    writeU64(t, 0, BigInt(T));
    expect(toHex(datSigningHash(enc('k'), enc('v'), T))).to.equal(toHex(blake3Reference(enc('k'), enc('v'), t)));
  });

  it('derives node IDs, store keys, shards and accounted sizes', () => {
    const pub = fromHex('0102030405060708' + '00'.repeat(24));
    expect(nodeId(pub)).to.equal(0x0807060504030201n);
    expect(storeKey(pub, 'k')).to.equal(storeKey(pub, enc('k')));
    expect(storeKey(pub, 'k')).to.equal(xxhash64(new Uint8Array([...pub, ...enc('k')])));
    expect(shardOf(0xab00000000000001n)).to.equal(0xab);
    expect(shardOf(0n)).to.equal(0);
    expect(entrySize(dat)).to.equal(1 + 1 + 224);
    throwsCode(() => nodeId(new Uint8Array(31)), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => storeKey(new Uint8Array(33), 'k'), 'ERR_INVALID_ARGUMENT');
  });
});
