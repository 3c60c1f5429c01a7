/**
 * The Dat (a signed record) on the wire, spec §4: a 155-byte header, then
 * key and value. Decoding checks every bound before reading it.
 */
import {
  DAT_HEADER_LEN,
  MAX_KEY_LEN,
  MAX_MSG_LEN,
  PUBKEY_LEN,
  SALT_LEN,
  SIG_LEN,
  WORK_LEN,
} from '../constants.js';
import { DaveError } from '../errors.js';
import { checkBytes, need, readI64, readU16, writeU16, writeU64 } from './bytes.js';

/** A record: key and value signed by the owner of `pubKey`. */
export interface Dat {
  /** Milliseconds since the Unix epoch (signed; Go's zero time is negative). */
  time: number;
  /** 16 bytes. */
  salt: Uint8Array;
  /** 32 bytes: blake3(salt ‖ blake3(sig)). */
  work: Uint8Array;
  /** 64 bytes: ed25519 over blake3(key ‖ value ‖ time). */
  sig: Uint8Array;
  /** 32 bytes: the owner's ed25519 public key. */
  pubKey: Uint8Array;
  /** 0..255 bytes (UTF-8 in practice, treated as bytes). */
  key: Uint8Array;
  value: Uint8Array;
}

/**
 * Longest key + value the Dat codec accepts: a Dat alone must fit in a
 * message. (A PUT carries more framing, so createDat's limit is MAX_KV_LEN.)
 */
export const MAX_DAT_KV_LEN = MAX_MSG_LEN - DAT_HEADER_LEN; // 1269, as godave's Marshal

/** Bytes `encodeDat(dat)` will produce. */
export function datLength(dat: Dat): number {
  return DAT_HEADER_LEN + dat.key.length + dat.value.length;
}

function checkDat(dat: Dat): void {
  if (dat === null || typeof dat !== 'object') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'dat must be an object');
  }
  if (!Number.isSafeInteger(dat.time)) {
    throw new DaveError('ERR_BAD_TIME', 'dat.time must be a safe integer of milliseconds');
  }
  checkBytes(dat.salt, SALT_LEN, 'dat.salt');
  checkBytes(dat.work, WORK_LEN, 'dat.work');
  checkBytes(dat.sig, SIG_LEN, 'dat.sig');
  checkBytes(dat.pubKey, PUBKEY_LEN, 'dat.pubKey');
  if (!(dat.key instanceof Uint8Array) || !(dat.value instanceof Uint8Array)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'dat.key and dat.value must be Uint8Arrays');
  }
  if (dat.key.length > MAX_KEY_LEN) {
    throw new DaveError('ERR_TOO_LARGE', `dat.key is ${dat.key.length} bytes, at most ${MAX_KEY_LEN}`);
  }
  if (dat.key.length + dat.value.length > MAX_DAT_KV_LEN) {
    throw new DaveError(
      'ERR_TOO_LARGE',
      `dat key + value is ${dat.key.length + dat.value.length} bytes, at most ${MAX_DAT_KV_LEN}`,
    );
  }
}

/** Writes `dat` at `offset` of `out` (which must have room); returns the end. */
export function writeDat(dat: Dat, out: Uint8Array, offset: number): number {
  checkDat(dat);
  let o = offset;
  writeU64(out, o, BigInt(dat.time));
  o += 8;
  out.set(dat.salt, o);
  o += SALT_LEN;
  out.set(dat.work, o);
  o += WORK_LEN;
  out.set(dat.sig, o);
  o += SIG_LEN;
  out.set(dat.pubKey, o);
  o += PUBKEY_LEN;
  out[o++] = dat.key.length;
  out.set(dat.key, o);
  o += dat.key.length;
  writeU16(out, o, dat.value.length);
  o += 2;
  out.set(dat.value, o);
  return o + dat.value.length;
}

/**
 * Encodes a Dat.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function encodeDat(dat: Dat): Uint8Array {
  checkDat(dat);
  const out = new Uint8Array(datLength(dat));
  writeDat(dat, out, 0);
  return out;
}

/** Reads the Dat occupying exactly buf[offset, end). */
export function readDat(buf: Uint8Array, offset: number, end: number): Dat {
  const b = end === buf.length ? buf : buf.subarray(0, end);
  need(b, offset, DAT_HEADER_LEN, 'dat header');
  const t = readI64(b, offset, 'dat time');
  if (t > BigInt(Number.MAX_SAFE_INTEGER) || t < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DaveError('ERR_BAD_TIME', `dat time ${t} is outside the safe integer range`);
  }
  let o = offset + 8;
  const salt = b.slice(o, (o += SALT_LEN));
  const work = b.slice(o, (o += WORK_LEN));
  const sig = b.slice(o, (o += SIG_LEN));
  const pubKey = b.slice(o, (o += PUBKEY_LEN));
  const keyLen = b[o++]!;
  need(b, o, keyLen + 2, 'dat key and value length');
  const key = b.slice(o, (o += keyLen));
  const valLen = readU16(b, o, 'dat value length');
  o += 2;
  if (keyLen + valLen > MAX_DAT_KV_LEN) {
    throw new DaveError('ERR_TOO_LARGE', `dat key + value is ${keyLen + valLen} bytes, at most ${MAX_DAT_KV_LEN}`);
  }
  need(b, o, valLen, 'dat value');
  const value = b.slice(o, (o += valLen));
  if (o !== end) {
    throw new DaveError('ERR_BAD_LENGTH', `dat ends at ${o} but its frame ends at ${end}`);
  }
  return { time: Number(t), salt, work, sig, pubKey, key, value };
}

/**
 * Decodes a Dat that fills `buf` exactly.
 * @throws DaveError ERR_TRUNCATED, ERR_TOO_LARGE, ERR_BAD_LENGTH, ERR_BAD_TIME
 */
export function decodeDat(buf: Uint8Array): Dat {
  return readDat(buf, 0, buf.length);
}
