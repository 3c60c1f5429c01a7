/**
 * lib/wire/entry.ts: replicas then a u16-length Dat; every error path.
 */
import { expect } from 'chai';
import { ENTRY_HEADER_LEN, FANOUT } from '../../lib/constants.js';
import { fromHex, toHex } from '../../lib/wire/bytes.js';
import {
  ENTRY_DAT_AT,
  ENTRY_KEY_AT,
  ENTRY_KEY_LEN_AT,
  ENTRY_PUBKEY_AT,
  ENTRY_REPLICAS_END,
  decodeEntry,
  encodeEntry,
  entryLength,
  readEntry,
} from '../../lib/wire/entry.js';
import { messages } from '../vectors.js';
import { throwsCode, vectorEntry } from './fixtures.js';

describe('wire/entry', () => {
  it('lays out FANOUT u64 replicas, the u16 Dat length, the Dat', () => {
    const e = { ...vectorEntry(), replicas: [1n, 2n ** 64n - 1n, 0n, 0x0102n, 5n] };
    const b = encodeEntry(e);
    expect(b.length).to.equal(entryLength(e));
    expect(toHex(b.subarray(0, 40))).to.equal(
      '0100000000000000' + 'ffffffffffffffff' + '0000000000000000' + '0201000000000000' + '0500000000000000',
    );
    const datLen = b.length - ENTRY_HEADER_LEN;
    expect(b[40]! | (b[41]! << 8)).to.equal(datLen);
    expect(decodeEntry(b).replicas).to.deep.equal(e.replicas);
  });

  it('exports the byte offsets the store reads stored entries by', () => {
    const e = vectorEntry();
    const b = encodeEntry(e);
    expect([ENTRY_REPLICAS_END, ENTRY_DAT_AT, ENTRY_PUBKEY_AT, ENTRY_KEY_LEN_AT, ENTRY_KEY_AT]).to.deep.equal([40, 42, 162, 194, 195]);
    expect(b.subarray(ENTRY_PUBKEY_AT, ENTRY_PUBKEY_AT + 32)).to.deep.equal(e.dat.pubKey);
    expect(b[ENTRY_KEY_LEN_AT]).to.equal(e.dat.key.length);
    expect(b.subarray(ENTRY_KEY_AT, ENTRY_KEY_AT + e.dat.key.length)).to.deep.equal(e.dat.key);
    const v = ENTRY_KEY_AT + e.dat.key.length;
    expect(b[v]! | (b[v + 1]! << 8)).to.equal(e.dat.value.length);
  });
  it('round-trips the vector Entry byte for byte', () => {
    expect(toHex(encodeEntry(decodeEntry(fromHex(messages.entry_bytes_hex))))).to.equal(messages.entry_bytes_hex);
  });

  it('refuses bad replicas with ERR_INVALID_ARGUMENT', () => {
    const e = vectorEntry();
    throwsCode(() => encodeEntry(null as never), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeEntry({ ...e, replicas: [1n, 2n, 3n, 4n] }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeEntry({ ...e, replicas: [1n, 2n, 3n, 4n, 5n, 6n] }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeEntry({ ...e, replicas: [1n, 2n, 3n, 4n, -1n] }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeEntry({ ...e, replicas: [1n, 2n, 3n, 4n, 2n ** 64n] }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeEntry({ ...e, replicas: [1n, 2n, 3n, 4n, 5] as never }), 'ERR_INVALID_ARGUMENT');
    throwsCode(() => encodeEntry({ ...e, dat: undefined as never }), 'ERR_INVALID_ARGUMENT');
  });

  it('throws ERR_BAD_LENGTH for a zero Dat length', () => {
    const b = new Uint8Array(ENTRY_HEADER_LEN);
    throwsCode(() => decodeEntry(b), 'ERR_BAD_LENGTH');
  });

  it('throws ERR_TRUNCATED for every strict prefix', () => {
    const b = fromHex(messages.entry_bytes_hex);
    for (let n = 0; n < b.length; n++) throwsCode(() => decodeEntry(b.subarray(0, n)), 'ERR_TRUNCATED');
  });

  it('throws ERR_BAD_LENGTH for trailing bytes, and when the Dat length is short of the bytes', () => {
    const b = fromHex(messages.entry_bytes_hex);
    throwsCode(() => decodeEntry(fromHex(messages.entry_bytes_hex + '00')), 'ERR_BAD_LENGTH');
    const shorter = Uint8Array.from(b);
    shorter[FANOUT * 8] -= 1;
    throwsCode(() => decodeEntry(shorter), 'ERR_BAD_LENGTH');
    const longer = Uint8Array.from(b);
    longer[FANOUT * 8] += 1;
    throwsCode(() => decodeEntry(longer), 'ERR_TRUNCATED');
  });

  it('reads an Entry inside a larger buffer, as the backup reader does', () => {
    const inner = fromHex(messages.entry_bytes_hex);
    const b = new Uint8Array(inner.length + 7);
    b.set(inner, 3);
    expect(toHex(encodeEntry(readEntry(b, 3, 3 + inner.length)))).to.equal(messages.entry_bytes_hex);
  });
});
