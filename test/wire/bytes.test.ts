/**
 * lib/wire/bytes.ts: bounded reads, time as i64, hex, argument checks and
 * the slab allocator.
 */
import { expect } from 'chai';
import {
  alloc,
  checkBytes,
  checkU64,
  concatBytes,
  copyOf,
  equalBytes,
  fromHex,
  readI64,
  readTime,
  readU16,
  readU64,
  readU64Unchecked,
  Scratch,
  toBytes,
  toHex,
  writeTime,
  writeU64,
  writeU64Unchecked,
} from '../../lib/wire/bytes.js';
import { throwsCode } from '../support/assert.js';
import { GO_ZERO_TIME_MS } from '../../lib/constants.js';


describe('wire/bytes', () => {
  it('reads u16/u64/i64 little-endian and refuses reads past the end', () => {
    const b = fromHex('0102ffffffffffffffff');
    expect(readU16(b, 0, 'x')).to.equal(0x0201);
    expect(readU64(b, 2, 'x')).to.equal(2n ** 64n - 1n);
    expect(readI64(b, 2, 'x')).to.equal(-1n);
    throwsCode(() => readU16(b, 9, 'x'), 'ERR_TRUNCATED');
    throwsCode(() => readU64(b, 3, 'x'), 'ERR_TRUNCATED');
  });

  it('writes and reads times as i64, negative ones included, as BigInt would', () => {
    const times = [0, 1, -1, 1732000000000, GO_ZERO_TIME_MS, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 0xffffffff];
    for (const t of times) {
      const a = new Uint8Array(8);
      const b = new Uint8Array(8);
      writeTime(a, 0, t);
      writeU64(b, 0, BigInt(t));
      expect(toHex(a), String(t)).to.equal(toHex(b));
      expect(readTime(a, 0, 't')).to.equal(t);
    }
  });

  it('refuses times outside the safe integers with ERR_BAD_TIME', () => {
    for (const t of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      const b = new Uint8Array(8);
      writeU64(b, 0, t);
      throwsCode(() => readTime(b, 0, 't'), 'ERR_BAD_TIME');
    }
    throwsCode(() => readTime(new Uint8Array(7), 0, 't'), 'ERR_TRUNCATED');
  });

  it('round-trips u64 through the unchecked helpers', () => {
    for (const v of [0n, 1n, 0xdeadbeefn, 2n ** 63n, 2n ** 64n - 1n]) {
      const b = new Uint8Array(10);
      writeU64Unchecked(b, 1, v);
      expect(readU64Unchecked(b, 1)).to.equal(v);
      expect(readU64(b, 1, 'x')).to.equal(v);
    }
  });

  it('converts hex both ways and refuses odd or non-hex strings', () => {
    expect(toHex(fromHex('00ff10'))).to.equal('00ff10');
    expect(toHex(new Uint8Array(8).subarray(2, 4))).to.equal('0000');
    throwsCode(() => fromHex('abc'), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => fromHex('zz'), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => fromHex(1 as unknown as string), 'ERR_INVALID_ARGUMENT');
  });

  it('checks byte arrays, u64s and string-or-bytes arguments', () => {
    expect(checkBytes(new Uint8Array(3), 3, 'x').length).to.equal(3);
    throwsCode(() => checkBytes(new Uint8Array(2), 3, 'x'), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => checkBytes([1, 2, 3], 3, 'x'), 'ERR_INVALID_ARGUMENT');
    expect(checkU64(2n ** 64n - 1n, 'x')).to.equal(2n ** 64n - 1n);
    throwsCode(() => checkU64(-1n, 'x'), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => checkU64(2n ** 64n, 'x'), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => checkU64(1, 'x'), 'ERR_INVALID_ARGUMENT');
    expect(toHex(toBytes('é', 'k'))).to.equal('c3a9');
    throwsCode(() => toBytes(5 as unknown as string, 'k'), 'ERR_INVALID_ARGUMENT');
  });

  it('compares and concatenates', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).to.equal(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).to.equal(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 2))).to.equal(false);
    expect(toHex(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).to.equal('010203');
  });

  it('allocates fresh zeroed regions that never overlap', () => {
    const seen: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const a = alloc(100 + (i % 50));
      expect(a.every((x) => x === 0)).to.equal(true);
      a.fill(0xaa);
      seen.push(a);
    }
    for (const a of seen) expect(a.every((x) => x === 0xaa)).to.equal(true);
    expect(alloc(5000).length).to.equal(5000); // large ones get their own buffer
    const src = Uint8Array.of(1, 2, 3, 4);
    const c = copyOf(src, 1, 3);
    src[1] = 9;
    expect(toHex(c)).to.equal('0203');
  });

  it('Scratch gathers ranges from several buffers, keeps them when it grows, and reuses one view per length', () => {
    const s = new Scratch(4);
    const a = Uint8Array.from([1, 2, 3, 4, 5]);
    const b = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    let n = s.gather(0, a, 1, 4); // 2 3 4
    expect(n).to.equal(3);
    expect([...s.view(n)]).to.deep.equal([2, 3, 4]);
    n = s.gather(n, b, 10, 300); // grows past 4: the first three bytes stay
    expect(n).to.equal(293);
    const v = s.view(n);
    expect([...v.subarray(0, 3)]).to.deep.equal([2, 3, 4]);
    expect([...v.subarray(3)]).to.deep.equal([...b.subarray(10)]);
    expect(s.view(n)).to.equal(v); // the same view object, not a new one
    s.gather(0, a, 0, 2);
    expect([...s.view(2)]).to.deep.equal([1, 2]);
  });
});

