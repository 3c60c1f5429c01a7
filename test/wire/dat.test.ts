/**
 * lib/wire/dat.ts: the Dat codec's exact layout, its limits and every
 * error path of encode and decode.
 */
import { expect } from 'chai';
import { DAT_HEADER_LEN, GO_ZERO_TIME_MS, MAX_KEY_LEN } from '../../lib/constants.js';
import { fromHex, toHex, writeU64 } from '../../lib/wire/bytes.js';
import { MAX_DAT_KV_LEN, checkDat, datLength, decodeDat, encodeDat, readDat } from '../../lib/wire/dat.js';
import { messages } from '../vectors.js';
import { sizedDat, throwsCode, vectorDat } from './fixtures.js';

describe('wire/dat', () => {
  it('lays out time, salt, work, sig, pubKey, key length, key, value length, value', () => {
    const d = { ...vectorDat(), time: 0x0102030405, key: Uint8Array.of(0xaa), value: Uint8Array.of(0xbb, 0xcc) };
    const b = encodeDat(d);
    expect(b.length).to.equal(DAT_HEADER_LEN + 3);
    expect(toHex(b.subarray(0, 8))).to.equal('0504030201000000');
    expect(toHex(b.subarray(8, 24))).to.equal(toHex(d.salt));
    expect(toHex(b.subarray(24, 56))).to.equal(toHex(d.work));
    expect(toHex(b.subarray(56, 120))).to.equal(toHex(d.sig));
    expect(toHex(b.subarray(120, 152))).to.equal(toHex(d.pubKey));
    expect(toHex(b.subarray(152))).to.equal('01aa0200bbcc');
  });

  it('round-trips the vector Dat byte for byte', () => {
    const b = fromHex(messages.dat_bytes_hex);
    expect(toHex(encodeDat(decodeDat(b)))).to.equal(messages.dat_bytes_hex);
    expect(datLength(vectorDat())).to.equal(b.length);
  });

  it('decodes into a copy: changing the input later changes nothing', () => {
    const b = fromHex(messages.dat_bytes_hex);
    const d = decodeDat(b);
    b.fill(0);
    expect(toHex(encodeDat(d))).to.equal(messages.dat_bytes_hex);
  });

  it('accepts an empty key and an empty value', () => {
    const d = sizedDat(0, 0);
    const b = encodeDat(d);
    expect(b.length).to.equal(DAT_HEADER_LEN);
    const back = decodeDat(b);
    expect(back.key.length).to.equal(0);
    expect(back.value.length).to.equal(0);
  });

  it('round-trips a negative time (godave not-found zero time)', () => {
    const d = { ...vectorDat(), time: GO_ZERO_TIME_MS };
    expect(decodeDat(encodeDat(d)).time).to.equal(GO_ZERO_TIME_MS);
  });

  it('encodes key + value up to 1269 bytes, refuses 1270 and a 256-byte key with ERR_TOO_LARGE', () => {
    expect(MAX_DAT_KV_LEN).to.equal(1269);
    expect(decodeDat(encodeDat(sizedDat(MAX_KEY_LEN, MAX_DAT_KV_LEN - MAX_KEY_LEN))).value.length).to.equal(1014);
    throwsCode(() => encodeDat(sizedDat(0, MAX_DAT_KV_LEN + 1)), 'ERR_TOO_LARGE');
    throwsCode(() => encodeDat(sizedDat(256, 0)), 'ERR_TOO_LARGE');
  });

  it('refuses malformed Dats to encode with ERR_INVALID_ARGUMENT or ERR_BAD_TIME', () => {
    const d = vectorDat();
    throwsCode(() => encodeDat(null as never), 'ERR_INVALID_ARGUMENT');
    for (const field of ['salt', 'work', 'sig', 'pubKey'] as const) {
      throwsCode(() => encodeDat({ ...d, [field]: new Uint8Array(d[field].length - 1) }), 'ERR_INVALID_ARGUMENT');
    }
    throwsCode(() => encodeDat({ ...d, key: 'k' as never }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeDat({ ...d, value: [1] as never }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeDat({ ...d, time: 1.5 }), 'ERR_BAD_TIME');
    throwsCode(() => encodeDat({ ...d, time: 2 ** 53 }), 'ERR_BAD_TIME');
    throwsCode(() => checkDat({ ...d, time: NaN }), 'ERR_BAD_TIME');
  });

  it('throws ERR_TRUNCATED for every strict prefix', () => {
    const b = fromHex(messages.dat_bytes_hex);
    for (let n = 0; n < b.length; n++) throwsCode(() => decodeDat(b.subarray(0, n)), 'ERR_TRUNCATED');
  });

  it('throws ERR_BAD_LENGTH for trailing bytes', () => {
    const b = fromHex(messages.dat_bytes_hex + '00');
    throwsCode(() => decodeDat(b), 'ERR_BAD_LENGTH');
    throwsCode(() => readDat(b, 0, b.length), 'ERR_BAD_LENGTH');
  });

  it('throws ERR_TOO_LARGE when the declared key + value is over 1269', () => {
    const b = encodeDat(sizedDat(255, 1014));
    b[152 + 1 + 255] = 1015 & 0xff; // value length 1015: 1270 in all
    b[152 + 1 + 255 + 1] = 1015 >> 8;
    throwsCode(() => decodeDat(b), 'ERR_TOO_LARGE');
  });

  it('throws ERR_BAD_TIME for a time outside the safe integers', () => {
    const b = fromHex(messages.dat_bytes_hex);
    writeU64(b, 0, 2n ** 63n);
    throwsCode(() => decodeDat(b), 'ERR_BAD_TIME');
  });

  it('reads a Dat in the middle of a larger buffer', () => {
    const inner = fromHex(messages.dat_bytes_hex);
    const b = new Uint8Array(inner.length + 10);
    b.set(inner, 4);
    expect(toHex(encodeDat(readDat(b, 4, 4 + inner.length)))).to.equal(messages.dat_bytes_hex);
  });

  it('refuses a non-Uint8Array input with ERR_INVALID_ARGUMENT', () => {
    throwsCode(() => decodeDat('00' as never), 'ERR_INVALID_ARGUMENT');
  });
});
