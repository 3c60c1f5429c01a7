/**
 * The Entry, docs/protocol.md §5: the FANOUT replica IDs, then a u16-length Dat.
 * This is also the value format of every record in the database and the
 * record format of godave's backup file.
 */
import { ENTRY_HEADER_LEN, FANOUT } from '../constants.js';
import { DaveError } from '../errors.js';
import { alloc, checkU64, MAX_U64, need, readU16, readU64Unchecked, writeU64Unchecked } from './bytes.js';
import { type Dat, DAT_KEY_AT, DAT_KEY_LEN_AT, DAT_PUBKEY_AT, MAX_DAT_KV_LEN, checkDat, datLength, readDat, writeDat } from './dat.js';

/** A Dat and the IDs of its replicas (0n = empty slot). */
export interface Entry {
  dat: Dat;
  /** Exactly FANOUT u64 IDs. */
  replicas: bigint[];
}

// Byte offsets in encoded Entry bytes (docs/protocol.md §5): FANOUT u64 replica IDs, the
// Dat's u16 length, then the Dat. The store reads stored entries through these.
/** End of the replica IDs (and where the Dat's u16 length starts). */
export const ENTRY_REPLICAS_END = FANOUT * 8; // 40
/** Where the Dat starts, which is where its time is. */
export const ENTRY_DAT_AT = ENTRY_HEADER_LEN; // 42
/** Where the owner's public key starts. */
export const ENTRY_PUBKEY_AT = ENTRY_DAT_AT + DAT_PUBKEY_AT; // 162
/** The key's length byte. */
export const ENTRY_KEY_LEN_AT = ENTRY_DAT_AT + DAT_KEY_LEN_AT; // 194
/** Where the key starts; the value's u16 length follows it. */
export const ENTRY_KEY_AT = ENTRY_DAT_AT + DAT_KEY_AT; // 195

/**
 * Bytes `encodeEntry(entry)` will produce.
 * Never throws for an Entry that passed checkEntry.
 */
export function entryLength(entry: Entry): number {
  return ENTRY_HEADER_LEN + datLength(entry.dat);
}

/**
 * Checks that `entry` can be encoded: FANOUT u64 replicas and a valid Dat.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function checkEntry(entry: Entry): Entry {
  const name = 'entry';
  if (entry === null || typeof entry !== 'object') {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be an object`);
  }
  const replicas: unknown = entry.replicas;
  if (!Array.isArray(replicas) || replicas.length !== FANOUT) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name}.replicas must be an array of ${FANOUT} bigints`);
  }
  for (let i = 0; i < FANOUT; i++) {
    const r: unknown = replicas[i];
    if (typeof r !== 'bigint' || r < 0n || r > MAX_U64) checkU64(r, `${name}.replicas[${i}]`);
  }
  checkDat(entry.dat, 'entry.dat');
  return entry;
}

/**
 * Writes `entry` at `offset` of `out` and returns the end. Internal: the
 * caller has run checkEntry and made room.
 * Never throws.
 */
export function writeEntry(entry: Entry, out: Uint8Array, offset: number): number {
  let o = offset;
  for (let i = 0; i < FANOUT; i++, o += 8) writeU64Unchecked(out, o, entry.replicas[i]!);
  const end = writeDat(entry.dat, out, o + 2);
  const len = end - o - 2;
  out[o] = len & 0xff;
  out[o + 1] = len >>> 8;
  return end;
}

/**
 * Encodes an Entry.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function encodeEntry(entry: Entry): Uint8Array {
  checkEntry(entry);
  const out = alloc(entryLength(entry));
  writeEntry(entry, out, 0);
  return out;
}

/**
 * Reads the Entry occupying exactly buf[offset, end).
 * @throws DaveError ERR_TRUNCATED, ERR_TOO_LARGE, ERR_BAD_LENGTH, ERR_BAD_TIME
 */
export function readEntry(buf: Uint8Array, offset: number, end: number): Entry {
  const b = end === buf.length ? buf : buf.subarray(0, end);
  need(b, offset, FANOUT * 8, 'entry replicas');
  const replicas: bigint[] = new Array<bigint>(FANOUT);
  let o = offset;
  for (let i = 0; i < FANOUT; i++, o += 8) replicas[i] = readU64Unchecked(b, o);
  const datLen = readU16(b, o, 'entry dat length');
  o += 2;
  if (datLen === 0) throw new DaveError('ERR_BAD_LENGTH', 'entry dat length is zero');
  if (o + datLen !== end) {
    throw new DaveError(
      o + datLen > end ? 'ERR_TRUNCATED' : 'ERR_BAD_LENGTH',
      `entry dat length ${datLen} does not match the ${end - o} bytes that follow`,
    );
  }
  return { dat: readDat(b, o, end), replicas };
}

/**
 * Decodes an Entry that fills `buf` exactly.
 * @throws DaveError ERR_INVALID_ARGUMENT (not a Uint8Array), ERR_TRUNCATED,
 *   ERR_TOO_LARGE, ERR_BAD_LENGTH, ERR_BAD_TIME
 */
export function decodeEntry(buf: Uint8Array): Entry {
  if (!(buf instanceof Uint8Array)) throw new DaveError('ERR_INVALID_ARGUMENT', 'buf must be a Uint8Array');
  return readEntry(buf, 0, buf.length);
}

/** The fields entryLayout reads from encoded Entry bytes. */
export interface EntryLayout {
  time: number;
  keyLen: number;
  valueLen: number;
}

/**
 * Reads the layout of the encoded Entry that fills `b` exactly, in place,
 * into `out`: true for exactly the bytes decodeEntry accepts (the tests
 * check the two agree on random and mutated input), false otherwise, and
 * nothing allocated either way. The batch path and the store's open scan
 * read records through this instead of decoding them.
 * Never throws.
 */
export function entryLayout(b: Uint8Array, out: EntryLayout): boolean {
  const len = b.length;
  if (len < ENTRY_DAT_AT) return false;
  const datLen = b[ENTRY_DAT_AT - 2]! | (b[ENTRY_DAT_AT - 1]! << 8);
  if (datLen === 0 || ENTRY_DAT_AT + datLen !== len || len < ENTRY_KEY_AT + 2) return false;
  const t = ENTRY_DAT_AT;
  const lo = (b[t]! | (b[t + 1]! << 8) | (b[t + 2]! << 16) | (b[t + 3]! << 24)) >>> 0;
  const hi = b[t + 4]! | (b[t + 5]! << 8) | (b[t + 6]! << 16) | (b[t + 7]! << 24);
  const time = hi * 4294967296 + lo;
  if (hi > 0x1f_ffff || hi < -0x20_0000 || !Number.isSafeInteger(time)) return false;
  const keyLen = b[ENTRY_KEY_LEN_AT]!;
  if (ENTRY_KEY_AT + keyLen + 2 > len) return false;
  const valueLen = b[ENTRY_KEY_AT + keyLen]! | (b[ENTRY_KEY_AT + keyLen + 1]! << 8);
  if (keyLen + valueLen > MAX_DAT_KV_LEN) return false;
  if (ENTRY_KEY_AT + keyLen + 2 + valueLen !== len) return false;
  out.time = time;
  out.keyLen = keyLen;
  out.valueLen = valueLen;
  return true;
}
