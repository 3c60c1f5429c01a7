/**
 * lib/crypto/blake3-block.ts: the single-block JS BLAKE3 used by the
 * proof-of-work loop, against the @noble/hashes reference.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { blake3Block, blockWords, leadingZeroBitsOfWords, wordsToBytes } from '../../lib/crypto/blake3-block.js';
import { blake3Reference } from '../../lib/crypto/hash.js';
import { leadingZeroBits } from '../../lib/crypto/work.js';
import { toHex } from '../../lib/wire/bytes.js';

function hashBlock(bytes: Uint8Array): Uint8Array {
  const out = new Uint32Array(8);
  blake3Block(blockWords(bytes), bytes.length, out);
  return wordsToBytes(out);
}

describe('crypto/blake3-block', () => {
  it('matches the reference for every length 0..64 on random inputs', () => {
    for (let len = 0; len <= 64; len++) {
      for (let k = 0; k < 20; k++) {
        const input = new Uint8Array(randomBytes(len));
        expect(toHex(hashBlock(input)), `length ${len}`).to.equal(toHex(blake3Reference(input)));
      }
    }
  });

  it('matches the reference on 20 000 random 48-byte work inputs', () => {
    for (let k = 0; k < 20_000; k++) {
      const input = new Uint8Array(randomBytes(48));
      const got = hashBlock(input);
      const want = blake3Reference(input);
      if (toHex(got) !== toHex(want)) expect.fail(`mismatch on ${toHex(input)}`);
    }
  });

  it('builds block words from parts, zero-padded, little-endian', () => {
    const w = blockWords(Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5));
    expect(w[0]).to.equal(0x04030201);
    expect(w[1]).to.equal(0x05);
    expect([...w.subarray(2)].every((x) => x === 0)).to.equal(true);
  });

  it('counts leading zero bits of output words as leadingZeroBits counts bytes', () => {
    const cases: Uint8Array[] = [new Uint8Array(32)];
    for (let bit = 0; bit < 256; bit++) {
      const b = new Uint8Array(32);
      b[bit >> 3] = 0x80 >> (bit & 7);
      cases.push(b);
      const c = Uint8Array.from(b);
      c[31] |= 1; // a low bit set as well changes nothing before it
      cases.push(c);
    }
    for (let k = 0; k < 200; k++) cases.push(new Uint8Array(randomBytes(32)));
    for (const bytes of cases) {
      const words = new Uint32Array(8);
      for (let i = 0; i < 8; i++) {
        words[i] = bytes[i * 4]! | (bytes[i * 4 + 1]! << 8) | (bytes[i * 4 + 2]! << 16) | (bytes[i * 4 + 3]! << 24);
      }
      expect(leadingZeroBitsOfWords(words), toHex(bytes)).to.equal(leadingZeroBits(bytes));
    }
  });
});
