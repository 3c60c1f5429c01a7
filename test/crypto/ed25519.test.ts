/**
 * lib/crypto/ed25519.ts: node:crypto signing and both verification
 * backends (libsodium, node:crypto) against the @noble/ed25519 reference.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  publicKeyFromSeed,
  sign,
  signReference,
  signingKey,
  verify,
  verifyBackend,
  verifyOpenSSL,
  verifyReference,
} from '../../lib/crypto/ed25519.js';
import { DaveError } from '../../lib/errors.js';
import { fromHex, toHex } from '../../lib/wire/bytes.js';

const rand = (n: number) => new Uint8Array(randomBytes(n));

/** Both fast backends on the same input: libsodium (`verify`) and node:crypto. */
const fast = (p: Uint8Array, m: Uint8Array, s: Uint8Array) => [verify(p, m, s), verifyOpenSSL(p, m, s)];

describe('crypto/ed25519', () => {
  it('derives the RFC 8032 test 1 public key and signature', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const pub = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
    expect(toHex(publicKeyFromSeed(seed))).to.equal(pub);
    expect(toHex(sign(signingKey(seed), new Uint8Array(0)))).to.equal(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('gives the same public key as noble', () => {
    for (let i = 0; i < 50; i++) {
      const seed = rand(32);
      ed.hashes.sha512 ??= sha512; // the test is the application here: it configures noble itself
      expect(toHex(publicKeyFromSeed(seed))).to.equal(toHex(ed.getPublicKey(seed)));
    }
  });

  it('signs byte-identically to noble', () => {
    for (let i = 0; i < 200; i++) {
      const seed = rand(32);
      const msg = rand(i % 3 === 0 ? 32 : i);
      expect(toHex(sign(signingKey(seed), msg))).to.equal(toHex(signReference(seed, msg)));
    }
  });

  it('refuses a seed that is not 32 bytes with ERR_INVALID_ARGUMENT', () => {
    expect(() => signingKey(rand(31))).to.throw(DaveError).with.property('code', 'ERR_INVALID_ARGUMENT');
    expect(() => signingKey('x' as unknown as Uint8Array)).to.throw(DaveError).with.property('code', 'ERR_INVALID_ARGUMENT');
  });

  it('agrees with the reference on valid signatures', () => {
    for (let i = 0; i < 100; i++) {
      const seed = rand(32);
      const key = signingKey(seed);
      const msg = rand(32);
      const sig = sign(key, msg);
      expect(fast(key.publicKey, msg, sig)).to.deep.equal([true, true]);
      expect(verifyReference(key.publicKey, msg, sig)).to.equal(true);
    }
  });

  it('agrees with the reference on tampered messages, signatures and keys', () => {
    for (let i = 0; i < 100; i++) {
      const key = signingKey(rand(32));
      const msg = rand(32);
      const sig = sign(key, msg);
      const badMsg = Uint8Array.from(msg);
      badMsg[i % 32] ^= 1 << (i % 8);
      const badSig = Uint8Array.from(sig);
      badSig[i % 64] ^= 1 << (i % 8);
      const otherKey = signingKey(rand(32)).publicKey;
      for (const [p, m, s] of [
        [key.publicKey, badMsg, sig],
        [key.publicKey, msg, badSig],
        [otherKey, msg, sig],
      ] as const) {
        expect(fast(p, m, s)).to.deep.equal([false, false]);
        expect(verifyReference(p, m, s)).to.equal(false);
      }
    }
  });

  it('agrees with the reference on public keys that are not curve points', () => {
    const msg = rand(32);
    const sig = sign(signingKey(rand(32)), msg);
    let invalid = 0;
    for (let i = 0; i < 300; i++) {
      const pub = rand(32);
      let isPoint = true;
      try {
        ed.Point.fromBytes(pub);
      } catch {
        isPoint = false;
      }
      if (!isPoint) invalid++;
      expect(fast(pub, msg, sig)).to.deep.equal([false, false]);
      expect(verifyReference(pub, msg, sig)).to.equal(false);
      // and again, from the key cache
      expect(fast(pub, msg, sig)).to.deep.equal([false, false]);
    }
    expect(invalid).to.be.greaterThan(50); // about half of random strings are not points
  });

  it('returns false, never throws, for wrong lengths', () => {
    const key = signingKey(rand(32));
    const msg = rand(32);
    const sig = sign(key, msg);
    expect(fast(key.publicKey.subarray(0, 31), msg, sig)).to.deep.equal([false, false]);
    expect(fast(key.publicKey, msg, sig.subarray(0, 63))).to.deep.equal([false, false]);
    expect(verifyReference(key.publicKey.subarray(0, 31), msg, sig)).to.equal(false);
  });

  it('verifies keys at an offset inside a larger buffer', () => {
    const key = signingKey(rand(32));
    const msg = rand(32);
    const sig = sign(key, msg);
    const big = new Uint8Array(100);
    big.set(key.publicKey, 10);
    expect(fast(big.subarray(10, 42), msg, sig)).to.deep.equal([true, true]);
  });

  it('uses libsodium for verification where sodium-native is installed', () => {
    // sodium-native is an optional dependency; on this project's machines it installs
    expect(verifyBackend).to.equal('libsodium');
  });

  it('accepts, on every backend, the small-order key that godave accepts (the Go rule, docs/protocol.md §4)', () => {
    // A = identity, R = identity, S = 0 satisfies the cofactorless equation for
    // every message: anyone can "sign" for this key. libsodium alone refuses it;
    // verify() decides such rare encodings by Go's rule (test/crypto/ed25519-rule.test.ts).
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const sig = new Uint8Array(64);
    sig[0] = 1;
    const msg = rand(32);
    expect(verify(identity, msg, sig)).to.equal(true);
    expect(verifyReference(identity, msg, sig)).to.equal(true);
    expect(verifyOpenSSL(identity, msg, sig)).to.equal(true);
  });
});
