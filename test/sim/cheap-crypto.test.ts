/**
 * Cheap crypto (lib/sim/cheap-crypto.ts): the simulator's stand-in for
 * signatures and proof of work keeps every message's size, so a cheap
 * run's datagrams are those of a real one; it is reachable only through
 * the simulator, and a real node rejects everything it makes.
 */
import { expect } from 'chai';
import * as pkg from 'dave-kv';
import * as codec from 'dave-kv/codec';
import * as simPkg from 'dave-kv/sim';
import { Simulation } from 'dave-kv/sim';
import { cheapCrypto, cheapWork } from '../../lib/sim/cheap-crypto.js';
import { CRYPTO_SEAM, realCrypto } from '../../lib/crypto/suite.js';
import { signingKey, verify, verifyOpenSSL, verifyReference } from '../../lib/crypto/ed25519.js';
import { datSigningHash, verifyDat, verifyWith } from '../../lib/records/record.js';
import { Dave } from '../../lib/node/dave.js';
import { OP } from '../../lib/constants.js';
import { addrPort } from '../../lib/wire/address.js';
import { encodeFrame } from '../../lib/wire/frame.js';
import { encodeMessage } from '../../lib/wire/message.js';

describe('sim: cheap crypto', function () {
  this.timeout(120_000);

  it('keeps sizes, verifies its own, and no real ed25519 verifier accepts its signatures', () => {
    const key = signingKey(new Uint8Array(32).fill(3));
    for (let i = 0; i < 50; i++) {
      const msg = new Uint8Array(32).fill(i);
      const sig = cheapCrypto.sign(key, msg);
      expect(sig).to.have.length(64);
      expect(cheapCrypto.verify(key.publicKey, msg, sig)).to.equal(true);
      expect(cheapCrypto.verify(key.publicKey, new Uint8Array(32).fill(i + 1), sig), 'another message').to.equal(false);
      // libsodium (or OpenSSL), OpenSSL, and noble's strict RFC 8032 check
      expect(verify(key.publicKey, msg, sig)).to.equal(false);
      expect(verifyOpenSSL(key.publicKey, msg, sig)).to.equal(false);
      expect(verifyReference(key.publicKey, msg, sig)).to.equal(false);
      // and the stand-in refuses real signatures
      expect(cheapCrypto.verify(key.publicKey, msg, realCrypto.sign(key, msg))).to.equal(false);
    }
    const { salt, work } = cheapWork(new Uint8Array(64).fill(1));
    expect(salt).to.have.length(16);
    expect(work).to.have.length(32);
    expect([...work.subarray(0, 4)]).to.deep.equal([0, 0, 0, 0]);
  });

  it('a stand-in record passes the stand-in check and fails the real one', async () => {
    const sim = new Simulation({ crypto: 'cheap' });
    const dat = await sim.record(new Uint8Array(32).fill(9), 'k', 'v');
    const real = await new Simulation().record(new Uint8Array(32).fill(9), 'k', 'v');
    for (const f of ['sig', 'salt', 'work', 'key', 'value', 'pubKey'] as const) expect(dat[f].length, f).to.equal(real[f].length);
    verifyWith(cheapCrypto, dat, { now: dat.time });
    const err = (() => {
      try {
        verifyDat(dat, { now: dat.time });
      } catch (e) {
        return (e as { code: string }).code;
      }
      return 'accepted';
    })();
    expect(err).to.equal('ERR_BAD_WORK');
    // with real work on it, the signature still fails
    expect(() => verifyDat({ ...dat, salt: real.salt, work: real.work, sig: cheapCrypto.sign(signingKey(new Uint8Array(32).fill(9)), datSigningHash(dat.key, dat.value, dat.time)) }, { now: dat.time })).to.throw();
  });

  it('is reachable only through the simulator: no entry point exports it, and Dave.open has no option for it', async () => {
    for (const mod of [pkg, codec, simPkg] as Record<string, unknown>[]) {
      for (const v of Object.values(mod)) {
        expect(v).to.not.equal(cheapCrypto);
        expect(v).to.not.equal(CRYPTO_SEAM);
      }
    }
    expect(Symbol.keyFor(CRYPTO_SEAM), 'not a registered symbol').to.equal(undefined);
    const err = await Dave.open({ crypto: 'cheap' } as never).catch((e) => e);
    expect(err.code).to.equal('ERR_INVALID_ARGUMENT');
    const bad = await Dave.open({ listen: '127.0.0.1:0', [CRYPTO_SEAM]: { sign: 1 } } as never).catch((e) => e);
    expect(bad.code).to.equal('ERR_INVALID_ARGUMENT');
  });

  it('the same seed gives the same datagrams, byte counts and outcomes with real and with cheap crypto', async () => {
    const run = async (crypto: 'real' | 'cheap') => {
      const sim = new Simulation({ seed: 5, crypto, trust: false, timings: { replicateEveryMs: 5_000 } });
      try {
        for (let i = 0; i < 6; i++) await sim.addNode();
        await sim.run(12_000);
        const dat = await sim.record(sim.rng.fork('o').bytes(32), 'k', 'v');
        await sim.drive(sim.nodes[1]!.dave.put(dat));
        await sim.removeNode(sim.nodes[2]!);
        await sim.addNode();
        await sim.run(12_000);
        const got = await sim.drive(sim.nodes[5]!.dave.get(dat.pubKey, 'k'));
        const c = sim.live.map((n) => sim.net.countersOf(n.ip));
        return { hash: sim.net.traceHash, datagrams: sim.net.datagrams, counters: c, value: Buffer.from(got.dat.value).toString(), holders: (await sim.holders(dat)).length, crypto: sim.crypto };
      } finally {
        await sim.close();
      }
    };
    const real = await run('real');
    const cheap = await run('cheap');
    expect(real.crypto).to.equal('real');
    expect(cheap.crypto).to.equal('cheap');
    expect(cheap.value).to.equal('v');
    expect({ ...cheap, crypto: 'real' }).to.deep.equal(real);
  });

  it('a real node among cheap ones authenticates none of them and stores none of their records', async () => {
    const sim = new Simulation({ seed: 3, crypto: 'cheap', trust: false });
    try {
      for (let i = 0; i < 3; i++) await sim.addNode();
      const real = await sim.addNode({ crypto: 'real' });
      expect(real.crypto).to.equal('real');
      await sim.run(12_000);
      expect(sim.nodes[1]!.dave.activePeerCount(), 'the cheap ones see each other').to.be.at.least(1);
      expect(real.dave.activePeerCount()).to.equal(0);
      expect(real.dave.stats().authFailures).to.be.greaterThan(0);
      // a stand-in record sent to it over TCP, as a replica would be sent one: refused at the work check
      const dat = await sim.record(new Uint8Array(32).fill(1), 'k', 'v');
      const conn = await sim.drive(sim.net.host(sim.nodes[1]!.ip).tcp().connect(addrPort(real.ip, 1619), new AbortController().signal));
      conn.write(encodeFrame(encodeMessage({ op: OP.PUT, entry: { dat, replicas: [0n, 0n, 0n, 0n, 0n] } })));
      await sim.run(1_000);
      conn.destroy();
      expect(real.dave.stats().packetsIn.PUT).to.equal(1);
      expect(real.dave.stats().verifyFailures).to.equal(1);
      expect(real.store.count()).to.equal(0);
    } finally {
      await sim.close();
    }
  });
});
