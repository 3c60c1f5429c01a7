/**
 * The Entry, spec §5: the FANOUT replica IDs, then a u16-length Dat.
 * This is also the value format of every record in the database and the
 * record format of godave's backup file.
 */
import { ENTRY_HEADER_LEN, FANOUT } from '../constants.js';
import { DaveError } from '../errors.js';
import { checkU64, readU16, readU64, writeU16, writeU64 } from './bytes.js';
import { type Dat, datLength, readDat, writeDat } from './dat.js';

/** A Dat and the IDs of its replicas (0n = empty slot). */
export interface Entry {
  dat: Dat;
  /** Exactly FANOUT u64 IDs. */
  replicas: bigint[];
}

/** Bytes `encodeEntry(entry)` will produce. */
export function entryLength(entry: Entry): number {
  return ENTRY_HEADER_LEN + datLength(entry.dat);
}

function checkReplicas(replicas: unknown): bigint[] {
  if (!Array.isArray(replicas) || replicas.length !== FANOUT) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `entry.replicas must be an array of ${FANOUT} bigints`);
  }
  replicas.forEach((r, i) => checkU64(r, `entry.replicas[${i}]`));
  return replicas;
}

export function writeEntry(entry: Entry, out: Uint8Array, offset: number): number {
  const replicas = checkReplicas(entry.replicas);
  let o = offset;
  for (const r of replicas) {
    writeU64(out, o, r);
    o += 8;
  }
  const end = writeDat(entry.dat, out, o + 2);
  writeU16(out, o, end - o - 2);
  return end;
}

/**
 * Encodes an Entry.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function encodeEntry(entry: Entry): Uint8Array {
  if (entry === null || typeof entry !== 'object') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'entry must be an object');
  }
  checkReplicas(entry.replicas);
  const out = new Uint8Array(entryLength(entry));
  writeEntry(entry, out, 0);
  return out;
}

/** Reads the Entry occupying exactly buf[offset, end). */
export function readEntry(buf: Uint8Array, offset: number, end: number): Entry {
  const b = end === buf.length ? buf : buf.subarray(0, end);
  const replicas: bigint[] = [];
  let o = offset;
  for (let i = 0; i < FANOUT; i++, o += 8) replicas.push(readU64(b, o, 'entry replicas'));
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
 * @throws DaveError ERR_TRUNCATED, ERR_TOO_LARGE, ERR_BAD_LENGTH, ERR_BAD_TIME
 */
export function decodeEntry(buf: Uint8Array): Entry {
  return readEntry(buf, 0, buf.length);
}
