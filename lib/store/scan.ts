/**
 * Reads the few fields the index needs straight from stored Entry bytes
 * (docs/protocol.md §5), without decoding the whole entry: this is what makes opening a
 * large database fast. It accepts exactly the bytes decodeEntry accepts
 * (the tests check the two agree on random and mutated input).
 */
import { FANOUT, PUBKEY_LEN } from '../constants.js';
import { ENTRY_PUBKEY_AT, entryLayout } from '../wire/entry.js';
import { xxhash64 } from '../crypto/hash.js';
import { Scratch } from '../wire/bytes.js';
import { entryStoreKey } from '../records/record.js';

const PUBKEY = ENTRY_PUBKEY_AT;
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
  const out: ScannedEntry = { time: 0, keyLen: 0, valueLen: 0 };
  return entryLayout(b, out) ? out : undefined;
}

/** The high 32 bits of a scanned entry's owner ID (the first 8 bytes of its pubKey, little-endian). */
export function ownerHi(b: Uint8Array): number {
  return (b[PUBKEY + 4]! | (b[PUBKEY + 5]! << 8) | (b[PUBKEY + 6]! << 16) | (b[PUBKEY + 7]! << 24)) >>> 0;
}

/** The low 32 bits of a scanned entry's owner ID. */
export function ownerLo(b: Uint8Array): number {
  return (b[PUBKEY]! | (b[PUBKEY + 1]! << 8) | (b[PUBKEY + 2]! << 16) | (b[PUBKEY + 3]! << 24)) >>> 0;
}

const scratch = new Scratch(2048);

/** Store key of a scanned entry: xxhash64(pubKey ‖ key). */
export const scannedStoreKey = entryStoreKey;

/**
 * Content sum of encoded entry bytes: xxhash64(replicas ‖ value). Two
 * entries under one key with equal times and equal sums are duplicates
 * (docs/protocol.md §9) when the values are not at hand to compare.
 */
export function contentSum(b: Uint8Array, valueLen: number): bigint {
  scratch.gather(0, b, 0, REPLICAS_LEN);
  return xxhash64(scratch.view(scratch.gather(REPLICAS_LEN, b, b.length - valueLen, b.length)));
}
