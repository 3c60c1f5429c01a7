/**
 * lib/crypto/ed25519.ts: one rule of validity, Go's crypto/ed25519
 * (docs/protocol.md §4), on every verification backend: verify() (libsodium
 * with its rare refusals routed to the Go rule, or node:crypto),
 * verifyOpenSSL (node:crypto alone) and verifyReference (@noble/ed25519).
 *
 * The 12 edge cases are those of the ed25519-speccheck study ("Taming the
 * many EdDSAs", Chalkias, Garillot, Nikolaenko, SSR 2020), from
 * github.com/novifinancial/ed25519-speccheck, cases.txt; Go's verdicts are
 * the study's results.md row for Go (crypto/ed25519): V V V V X X X X X X X V.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { goVerify, signingKey, sign, verify, verifyOpenSSL, verifyReference } from '../../lib/crypto/ed25519.js';
import { fromHex } from '../../lib/wire/bytes.js';

/** [message, public key, signature, Go accepts] */
const SPECCHECK: [string, string, string, boolean][] = [
  // 0: small-order A and R, S = 0
  ['8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000', true],
  // 1: small-order A, mixed-order R
  ['9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', true],
  // 2: mixed-order A, small-order R
  ['aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e', true],
  // 3: mixed-order A and R, passes the cofactorless equation
  ['9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79', 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009', true],
  // 4: mixed-order A and R, passes only the cofactored equation
  ['e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09', false],
  // 5: as 4, the other combination
  ['e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c', 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d', '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405', false],
  // 6: S > L (non-canonical S, high bits clear)
  ['85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', 'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514', false],
  // 7: S much larger than L
  ['85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40', '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623', '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22', false],
  // 8: non-canonical R, reduced for the hash
  ['9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f', false],
  // 9: non-canonical R, not reduced for the hash
  ['9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41', 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908', false],
  // 10: non-canonical A, reduced for the hash
  ['e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', false],
  // 11: non-canonical A, not reduced for the hash
  ['39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04', true],
];

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const rand = (n: number) => new Uint8Array(randomBytes(n));
const le = (n: bigint) => {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return b;
};
const leNum = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const randScalar = () => leNum(rand(64)) % L;

/** Every backend, by name. */
const BACKENDS: [string, (p: Uint8Array, m: Uint8Array, s: Uint8Array) => boolean][] = [
  ['verify (the node\'s)', verify],
  ['node:crypto', verifyOpenSSL],
  ['@noble/ed25519 (Go rule)', verifyReference],
];

/** The 8 points of order dividing 8, from multiples of an order-8 point. */
const TORSION: ed.Point[] = (() => {
  const t = ed.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', true);
  const out = [ed.Point.ZERO];
  for (let i = 1; i < 8; i++) out.push(out[i - 1]!.add(t));
  return out;
})();

/** The encodings of point `q` a decoder may meet: canonical, x = 0 with the sign bit, y + p when y < 19. */
function encodings(q: ed.Point): Uint8Array[] {
  const canon = q.toBytes();
  const out = [canon];
  const { x, y } = q.toAffine();
  if (x === 0n) {
    const neg = Uint8Array.from(canon);
    neg[31]! |= 0x80;
    out.push(neg);
  }
  if (y < 19n) {
    const nc = le(y + P);
    nc[31]! |= canon[31]! & 0x80;
    out.push(nc);
  }
  return out;
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

describe('crypto/ed25519: the Go rule on every backend', () => {
  for (const [i, [m, a, s, go]] of SPECCHECK.entries()) {
    it(`speccheck case ${i}: ${go ? 'accepted' : 'refused'} as Go does, by every backend`, () => {
      for (const [name, fn] of BACKENDS) {
        expect(fn(fromHex(a), fromHex(m), fromHex(s)), name).to.equal(go);
      }
    });
  }

  it('gives Go\'s verdict on 600 or more signatures over small-order, mixed-order and non-canonical A and R', () => {
    // A = [a]B + T1, R = [r]B + T2, S = r + k·a: Go accepts exactly when
    // R's bytes are the canonical encoding of [S]B - [k]A (cofactorless),
    // S < L and A decodes; the expectation is computed with point equality,
    // apart from the code under test.
    ed.hashes.sha512 ??= sha512;
    let accepted = 0;
    let refused = 0;
    // 600 cases, more (3,000 at most) until each verdict has occurred 50 times: the draw is random
    for (let n = 0; n < 3_000 && (n < 600 || accepted < 50 || refused < 50); n++) {
      const a = Math.random() < 0.5 ? 0n : randScalar();
      const r = Math.random() < 0.3 ? 0n : randScalar();
      const aPoint = (a === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(a)).add(pick(TORSION));
      const rPoint = (r === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(r)).add(pick(TORSION));
      const aBytes = pick(encodings(aPoint));
      const rBytes = pick(encodings(rPoint));
      const msg = rand(32);
      const k = leNum(sha512(new Uint8Array([...rBytes, ...aBytes, ...msg]))) % L;
      let s = (r + k * a) % L;
      if (n % 10 === 9) s += L; // non-canonical S, still below 2^253
      const sig = new Uint8Array([...rBytes, ...le(s)]);
      const lhs = (s % L === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(s % L)).subtract(k === 0n ? ed.Point.ZERO : aPoint.multiply(k));
      const canonicalR = rBytes.every((x, i) => x === rPoint.toBytes()[i]);
      const expected = s < L && canonicalR && lhs.equals(rPoint);
      if (expected) accepted++;
      else refused++;
      for (const [name, fn] of BACKENDS) expect(fn(aBytes, msg, sig), `${name}, case ${n}`).to.equal(expected);
    }
    // both verdicts occur often enough for the test to mean something
    expect(accepted).to.be.at.least(50);
    expect(refused).to.be.at.least(50);
  });

  it('keeps honest signatures on the fast backend, and refuses a bit flip everywhere', () => {
    for (let n = 0; n < 50; n++) {
      const key = signingKey(rand(32));
      const msg = rand(40);
      const sig = sign(key, msg);
      for (const [name, fn] of BACKENDS) expect(fn(key.publicKey, msg, sig), name).to.equal(true);
      const bad = Uint8Array.from(sig);
      bad[n % 64]! ^= 1 << n % 8;
      for (const [name, fn] of BACKENDS) expect(fn(key.publicKey, msg, bad), name).to.equal(false);
      expect(goVerify(key.publicKey, msg, bad)).to.equal(false);
    }
  });
});
