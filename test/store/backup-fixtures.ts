/**
 * Test helpers for godave backup files (docs/protocol.md §14): the layout of a correct
 * file, and godave's corrupt rewrite of it.
 */
import { GODAVE_CORRUPT_LENGTH } from '../../lib/store/backup.js';

/** Offsets and lengths of the records in a correct file, from its length prefixes. */
export function layoutOf(bytes: Uint8Array): { offset: number; length: number }[] {
  const out = [];
  for (let o = 0; o < bytes.length; ) {
    const length = bytes[o]! | (bytes[o + 1]! << 8);
    out.push({ offset: o, length });
    o += 2 + length;
  }
  return out;
}

/** A correct file rewritten as godave's restart path does: 1424 as every length prefix. */
export function withCorruptPrefixes(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (const r of layoutOf(bytes)) {
    out[r.offset] = GODAVE_CORRUPT_LENGTH & 0xff;
    out[r.offset + 1] = GODAVE_CORRUPT_LENGTH >> 8;
  }
  return out;
}
