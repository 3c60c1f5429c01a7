/**
 * lib/crypto/hash.ts: the WASM BLAKE3 against the @noble/hashes reference,
 * the WASM xxhash64 against known values and the JavaScript reference
 * (lib/crypto/xxhash64.ts), and ready(), which loads the WASM.
 * (Whether importing the package loads any WASM is test/surface/imports.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { blake3, blake3Reference, hashBackend, ready, xxhash64 } from '../../lib/crypto/hash.js';
import { xxhash64Reference } from '../../lib/crypto/xxhash64.js';
import { toHex } from '../../lib/wire/bytes.js';

describe('crypto/hash', () => {
  before(() => ready());

  it('uses the WASM functions once ready() resolved; ready() is one promise', () => {
    expect(hashBackend()).to.deep.equal({ blake3: 'hash-wasm', xxhash64: 'xxhash-wasm' });
    expect(ready()).to.equal(ready());
  });

  it('gives the BLAKE3 test digest of the empty input', () => {
    // official BLAKE3 test vector, input length 0
    expect(toHex(blake3(new Uint8Array(0)))).to.equal(
      'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
  });

  it('matches the noble reference on random inputs of every length 0..1100 and some longer', () => {
    const lengths = [...Array.from({ length: 1101 }, (_, i) => i), 2048, 4096, 65_537];
    for (const len of lengths) {
      const input = new Uint8Array(randomBytes(len));
      expect(toHex(blake3(input)), `length ${len}`).to.equal(toHex(blake3Reference(input)));
    }
  });

  it('hashes several parts as their concatenation', () => {
    for (let i = 0; i < 200; i++) {
      const a = new Uint8Array(randomBytes(i));
      const b = new Uint8Array(randomBytes((i * 7) % 97));
      const c = new Uint8Array(randomBytes(8));
      const whole = new Uint8Array([...a, ...b, ...c]);
      expect(toHex(blake3(a, b, c))).to.equal(toHex(blake3Reference(whole)));
      expect(toHex(blake3Reference(a, b, c))).to.equal(toHex(blake3Reference(whole)));
    }
  });

  it('returns a fresh digest each call (no shared buffer)', () => {
    const x = blake3(Uint8Array.of(1));
    const y = blake3(Uint8Array.of(2));
    expect(toHex(x)).to.not.equal(toHex(y));
    expect(toHex(x)).to.equal(toHex(blake3Reference(Uint8Array.of(1))));
  });

  it('computes xxhash64 with seed 0, in WASM and in the JavaScript reference', () => {
    // reference values of XXH64 with seed 0
    for (const h of [xxhash64, xxhash64Reference]) {
      expect(h(new Uint8Array(0)), h.name).to.equal(0xef46db3751d8e999n);
      expect(h(new TextEncoder().encode('a')), h.name).to.equal(0xd24ec4f1a98c6e5bn);
    }
  });

  it('xxhash64Reference matches the WASM xxhash64 on random inputs of every length 0..300 and some longer', () => {
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1024, 1287, 4099];
    for (const len of lengths) {
      const input = new Uint8Array(randomBytes(len + 3)).subarray(3); // an offset view, too
      expect(xxhash64Reference(input), `length ${len}`).to.equal(xxhash64(input));
    }
  });
});
