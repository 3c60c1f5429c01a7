/**
 * Reads the few fields the index needs straight from stored Entry bytes
 * (docs/protocol.md §5), without decoding the whole entry: this is what makes opening a
 * large database fast. It accepts exactly the bytes decodeEntry accepts
 * (the tests check the two agree on random and mutated input).
 */
import { FANOUT, PUBKEY_LEN } from '../constants.js';
import { MAX_DAT_KV_LEN } from '../wire/dat.js';
import { ENTRY_DAT_AT, ENTRY_KEY_AT, ENTRY_KEY_LEN_AT, ENTRY_PUBKEY_AT } from '../wire/entry.js';
import { xxhash64 } from '../crypto/hash.js';

const DAT = ENTRY_DAT_AT; // the Dat starts after replicas and its u16 length
const TIME = DAT;
const PUBKEY = ENTRY_PUBKEY_AT;
const KEY_LEN = ENTRY_KEY_LEN_AT;
const KEY = ENTRY_KEY_AT;
const REPLICAS_LEN = FANOUT * 8;

/** Fields of a stored entry that the index keeps or derives. */
export interface ScannedEntry {
  time: number;
  keyLen: number;
  valueLen: number;
}

/**
 * The index fields of encoded Entry bytes, or undefined when the bytes do
 * not decode (the same bytes decodeEntry rejects). Never throws.
 */
export function scanEntry(b: Uint8Array): ScannedEntry | undefined {
  const len = b.length;
  if (len < DAT) return undefined;
  const datLen = b[DAT - 2]! | (b[DAT - 1]! << 8);
  if (datLen === 0 || DAT + datLen !== len || len < KEY + 2) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, len);
  const time = dv.getInt32(TIME + 4, true) * 4294967296 + dv.getUint32(TIME, true);
  if (!Number.isSafeInteger(time)) return undefined;
  const keyLen = b[KEY_LEN]!;
  if (KEY + keyLen + 2 > len) return undefined;
  const valueLen = b[KEY + keyLen]! | (b[KEY + keyLen + 1]! << 8);
  if (keyLen + valueLen > MAX_DAT_KV_LEN) return undefined;
  if (KEY + keyLen + 2 + valueLen !== len) return undefined;
  return { time, keyLen, valueLen };
}

/** Owner ID halves (first 8 bytes of pubKey, little-endian) of a scanned entry. */
export function ownerHalves(b: Uint8Array): [hi: number, lo: number] {
  const lo = (b[PUBKEY]! | (b[PUBKEY + 1]! << 8) | (b[PUBKEY + 2]! << 16) | (b[PUBKEY + 3]! << 24)) >>> 0;
  const hi = (b[PUBKEY + 4]! | (b[PUBKEY + 5]! << 8) | (b[PUBKEY + 6]! << 16) | (b[PUBKEY + 7]! << 24)) >>> 0;
  return [hi, lo];
}

let scratch = new Uint8Array(2048);

function scratchFor(n: number): Uint8Array {
  if (scratch.length < n) scratch = new Uint8Array(n);
  return scratch;
}

/** Store key of a scanned entry: xxhash64(pubKey ‖ key). */
export function scannedStoreKey(b: Uint8Array, keyLen: number): bigint {
  const s = scratchFor(PUBKEY_LEN + keyLen);
  s.set(b.subarray(PUBKEY, PUBKEY + PUBKEY_LEN), 0);
  s.set(b.subarray(KEY, KEY + keyLen), PUBKEY_LEN);
  return xxhash64(s.subarray(0, PUBKEY_LEN + keyLen));
}

/**
 * Content sum of encoded entry bytes: xxhash64(replicas ‖ value). Two
 * entries under one key with equal times and equal sums are duplicates
 * (docs/protocol.md §9) when the values are not at hand to compare.
 */
export function contentSum(b: Uint8Array, valueLen: number): bigint {
  const s = scratchFor(REPLICAS_LEN + valueLen);
  s.set(b.subarray(0, REPLICAS_LEN), 0);
  s.set(b.subarray(b.length - valueLen), REPLICAS_LEN);
  return xxhash64(s.subarray(0, REPLICAS_LEN + valueLen));
}
