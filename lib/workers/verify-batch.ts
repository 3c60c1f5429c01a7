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
import { PUBKEY_LEN, SALT_LEN, SIG_LEN, WORK_LEN } from '../constants.js';
import type { Dat } from '../wire/dat.js';

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
