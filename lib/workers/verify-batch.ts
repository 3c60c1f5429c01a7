/**
 * The verify pool's hand-off format: a batch of Dats packed into one
 * ArrayBuffer that is transferred to the worker (no structured clone of
 * seven arrays per Dat, which cost more than the packing). Per Dat:
 * now f64, skew f64, time f64, key length u16, value length u16, then
 * salt, work, sig, pubKey, key, value. The worker reads Dats back as
 * views into the buffer. A Dat whose fields are not of the codec's sizes
 * is not packed (the pool verifies it inline, where verifyDat names the
 * fault).
 */
import { DAT_HEADER_LEN, PUBKEY_LEN, SALT_LEN, SIG_LEN, WORK_LEN } from '../constants.js';
import { readTime } from '../wire/bytes.js';
import { DAT_KEY_LEN_AT, type Dat } from '../wire/dat.js';
import { ENTRY_DAT_AT } from '../wire/entry.js';
import { type EntryBatch, signatureValidAt } from '../records/entry-batch.js';

const HEAD = 8 + 8 + 8 + 2 + 2;
const FIXED = SALT_LEN + WORK_LEN + SIG_LEN + PUBKEY_LEN;

export interface VerifyItem {
  dat: Dat;
  now: number;
  skew: number;
}

/** True when `dat` can be packed: byte fields of the wire sizes, keys and values under 64 KiB. Never throws. */
export function packable(dat: Dat): boolean {
  return (
    typeof dat.time === 'number' &&
    isBytes(dat.salt, SALT_LEN) &&
    isBytes(dat.work, WORK_LEN) &&
    isBytes(dat.sig, SIG_LEN) &&
    isBytes(dat.pubKey, PUBKEY_LEN) &&
    dat.key instanceof Uint8Array &&
    dat.key.length < 65536 &&
    dat.value instanceof Uint8Array &&
    dat.value.length < 65536
  );
}

function isBytes(x: unknown, len: number): boolean {
  return x instanceof Uint8Array && x.length === len;
}

/** Packs items whose Dats are packable(). Never throws for those. */
export function packBatch(items: readonly VerifyItem[]): Uint8Array {
  let size = 0;
  for (const it of items) size += HEAD + FIXED + it.dat.key.length + it.dat.value.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const { dat, now, skew } of items) {
    view.setFloat64(o, now, true);
    view.setFloat64(o + 8, skew, true);
    view.setFloat64(o + 16, dat.time, true);
    view.setUint16(o + 24, dat.key.length, true);
    view.setUint16(o + 26, dat.value.length, true);
    o += HEAD;
    for (const f of [dat.salt, dat.work, dat.sig, dat.pubKey, dat.key, dat.value]) {
      out.set(f, o);
      o += f.length;
    }
  }
  return out;
}

/** The items of a packed batch, as views into `bytes`. Never throws for packBatch's output. */
export function unpackBatch(bytes: Uint8Array): VerifyItem[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: VerifyItem[] = [];
  let o = 0;
  const take = (n: number) => bytes.subarray(o, (o += n));
  while (o < bytes.length) {
    const now = view.getFloat64(o, true);
    const skew = view.getFloat64(o + 8, true);
    const time = view.getFloat64(o + 16, true);
    const kl = view.getUint16(o + 24, true);
    const vl = view.getUint16(o + 26, true);
    o += HEAD;
    const salt = take(SALT_LEN);
    const work = take(WORK_LEN);
    const sig = take(SIG_LEN);
    const pubKey = take(PUBKEY_LEN);
    const key = take(kl);
    const value = take(vl);
    items.push({ now, skew, dat: { time, salt, work, sig, pubKey, key, value } });
  }
  return items;
}

/**
 * The batch path's hand-off (records/entry-batch.ts): the Dats of records
 * `idx` of `batch`, whose cheap checks passed, packed as their wire bytes
 * into one buffer for transfer: per Dat a u16 length, then the Dat. The
 * worker checks only their signatures (verifySignatures) and answers with
 * one bit per Dat. Never throws.
 */
export function packSignatures(batch: EntryBatch, idx: readonly number[]): Uint8Array {
  let size = 0;
  for (const i of idx) size += 2 + batch.entries[i]!.length - ENTRY_DAT_AT;
  const out = new Uint8Array(size);
  let o = 0;
  for (const i of idx) {
    const b = batch.entries[i]!;
    const n = b.length - ENTRY_DAT_AT;
    out[o] = n & 0xff;
    out[o + 1] = n >>> 8;
    out.set(b.subarray(ENTRY_DAT_AT), o + 2);
    o += 2 + n;
  }
  return out;
}

/**
 * The worker's side of packSignatures: checks each Dat's signature and
 * returns one bit per Dat, set when valid (bit i of byte i >> 3). A check
 * that throws (a bug, not a bad record) leaves its bit clear and is named
 * in `errors`. Never throws for packSignatures' output.
 */
export function verifySignatures(packed: Uint8Array): { valid: Uint8Array; errors: { i: number; name: string; message: string }[] } {
  let n = 0;
  for (let o = 0; o < packed.length; n++) o += 2 + (packed[o]! | (packed[o + 1]! << 8));
  const valid = new Uint8Array((n + 7) >>> 3);
  const errors: { i: number; name: string; message: string }[] = [];
  let o = 0;
  for (let i = 0; i < n; i++) {
    const len = packed[o]! | (packed[o + 1]! << 8);
    const d = o + 2;
    o = d + len;
    try {
      const time = readTime(packed, d, 'dat time');
      const keyLen = packed[d + DAT_KEY_LEN_AT]!;
      const valueLen = len - DAT_HEADER_LEN - keyLen;
      if (signatureValidAt(packed, d, time, keyLen, valueLen)) valid[i >>> 3]! |= 1 << (i & 7);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      errors.push({ i, name: e.name, message: e.message });
    }
  }
  return { valid, errors };
}
