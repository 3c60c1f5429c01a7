/**
 * lib/crypto/work.ts: leading zero bits, the work hash, and the salt
 * search in godave's order.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { blake3, blake3Reference } from '../../lib/crypto/hash.js';
import { leadingZeroBits, saltOf, searchWork, solveWork, workHash, workOf } from '../../lib/crypto/work.js';
import { toHex } from '../../lib/wire/bytes.js';

const rand = (n: number) => new Uint8Array(randomBytes(n));

/** The search written out as the spec says, on the reference hash. */
function referenceSolve(sig: Uint8Array, difficulty: number): number {
  const sigHash = blake3Reference(sig);
  for (let c = 0; ; c++) {
    if (leadingZeroBits(blake3Reference(saltOf(c), sigHash)) >= difficulty) return c;
  }
}

describe('crypto/work', () => {
  it('counts leading zero bits from the top bit of byte 0; all zero is 8 × length', () => {
    expect(leadingZeroBits(Uint8Array.of(0x80, 0))).to.equal(0);
    expect(leadingZeroBits(Uint8Array.of(0x01, 0xff))).to.equal(7);
    expect(leadingZeroBits(Uint8Array.of(0, 0x40))).to.equal(9);
    expect(leadingZeroBits(new Uint8Array(32))).to.equal(256);
    expect(leadingZeroBits(new Uint8Array(0))).to.equal(0);
  });

  it('puts the counter in salt bytes 8..15, little-endian', () => {
    expect(toHex(saltOf(0))).to.equal('00'.repeat(16));
    expect(toHex(saltOf(0x0102))).to.equal('00'.repeat(8) + '0201' + '00'.repeat(6));
    expect(toHex(saltOf(2 ** 32 + 5))).to.equal('00'.repeat(8) + '0500000001000000');
  });

  it('hashes work as blake3(salt ‖ blake3(sig))', () => {
    for (let i = 0; i < 50; i++) {
      const salt = rand(16);
      const sig = rand(64);
      expect(toHex(workHash(salt, sig))).to.equal(toHex(blake3Reference(salt, blake3Reference(sig))));
    }
    const sig = rand(64);
    for (const c of [0, 1, 255, 65_536, 2 ** 32 + 7]) {
      expect(toHex(workOf(c, blake3(sig)))).to.equal(toHex(workHash(saltOf(c), sig)));
    }
  });

  it('finds the first qualifying counter, as the reference search does', () => {
    for (let i = 0; i < 30; i++) {
      const sig = rand(64);
      const want = referenceSolve(sig, 8);
      const got = solveWork(sig, 8)!;
      expect(got.tries).to.equal(want + 1);
      expect(toHex(got.salt)).to.equal(toHex(saltOf(want)));
      expect(leadingZeroBits(got.work)).to.be.at.least(8);
      expect(toHex(got.work)).to.equal(toHex(workHash(got.salt, sig)));
    }
  });

  it('searches only the given range and returns -1 or null when it holds no solution', () => {
    const sig = rand(64);
    const first = referenceSolve(sig, 6);
    const sigHash = blake3(sig);
    expect(searchWork(sigHash, 6, 0, first)).to.equal(-1);
    expect(searchWork(sigHash, 6, 0, first + 1)).to.equal(first);
    expect(searchWork(sigHash, 6, first, 1)).to.equal(first);
    expect(solveWork(sig, 6, 0, first)).to.equal(null);
    expect(solveWork(sig, 6, first, 1)!.tries).to.equal(1);
  });

  it('accepts anything at difficulty 0', () => {
    expect(solveWork(rand(64), 0)!.tries).to.equal(1);
  });
});
