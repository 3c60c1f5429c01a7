/**
 * The Dat (a signed record) on the wire, docs/protocol.md §4: a 155-byte header, then
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
import { alloc, checkBytes, copyOf, isBytes, need, readTime, readU16, writeTime } from './bytes.js';

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

// Byte offsets in encoded Dat bytes (docs/protocol.md §4): time u64, salt, work, sig,
// pubKey, key length u8, key, value length u16, value.
/** Where the owner's public key starts. */
export const DAT_PUBKEY_AT = 8 + SALT_LEN + WORK_LEN + SIG_LEN; // 120
/** The key's length byte. */
export const DAT_KEY_LEN_AT = DAT_PUBKEY_AT + PUBKEY_LEN; // 152
/** Where the key starts (its u16 value length follows it). */
export const DAT_KEY_AT = DAT_KEY_LEN_AT + 1; // 153

/**
 * Bytes `encodeDat(dat)` will produce.
 * Never throws for a Dat that passed checkDat.
 */
export function datLength(dat: Dat): number {
  return DAT_HEADER_LEN + dat.key.length + dat.value.length;
}

/**
 * Checks that `dat` can be encoded: every field of its size and type.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function checkDat(dat: Dat, name = 'dat'): Dat {
  if (dat === null || typeof dat !== 'object') {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be an object`);
  }
  if (!Number.isSafeInteger(dat.time)) {
    throw new DaveError('ERR_BAD_TIME', `${name}.time must be a safe integer of milliseconds`);
  }
  // names are built only on failure: this runs on every encode
  if (!isBytes(dat.salt, SALT_LEN)) checkBytes(dat.salt, SALT_LEN, `${name}.salt`);
  if (!isBytes(dat.work, WORK_LEN)) checkBytes(dat.work, WORK_LEN, `${name}.work`);
  if (!isBytes(dat.sig, SIG_LEN)) checkBytes(dat.sig, SIG_LEN, `${name}.sig`);
  if (!isBytes(dat.pubKey, PUBKEY_LEN)) checkBytes(dat.pubKey, PUBKEY_LEN, `${name}.pubKey`);
  if (!(dat.key instanceof Uint8Array) || !(dat.value instanceof Uint8Array)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name}.key and ${name}.value must be Uint8Arrays`);
  }
  if (dat.key.length > MAX_KEY_LEN) {
    throw new DaveError('ERR_TOO_LARGE', `${name}.key is ${dat.key.length} bytes, at most ${MAX_KEY_LEN}`);
  }
  if (dat.key.length + dat.value.length > MAX_DAT_KV_LEN) {
    throw new DaveError(
      'ERR_TOO_LARGE',
      `${name} key + value is ${dat.key.length + dat.value.length} bytes, at most ${MAX_DAT_KV_LEN}`,
    );
  }
  return dat;
}

/**
 * Writes `dat` at `offset` of `out` and returns the end. Internal: the
 * caller has run checkDat and made room.
 * Never throws.
 */
export function writeDat(dat: Dat, out: Uint8Array, offset: number): number {
  let o = offset;
  writeTime(out, o, dat.time);
  o += 8;
  out.set(dat.salt, o);
  o += SALT_LEN;
  out.set(dat.work, o);
  o += WORK_LEN;
  out.set(dat.sig, o);
  o += SIG_LEN;
  out.set(dat.pubKey, o);
  o += PUBKEY_LEN;
  const k = dat.key.length;
  out[o++] = k;
  out.set(dat.key, o);
  o += k;
  const v = dat.value.length;
  out[o] = v & 0xff;
  out[o + 1] = v >>> 8;
  o += 2;
  out.set(dat.value, o);
  return o + v;
}

/**
 * Encodes a Dat.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function encodeDat(dat: Dat): Uint8Array {
  checkDat(dat);
  const out = alloc(datLength(dat));
  writeDat(dat, out, 0);
  return out;
}

/**
 * Reads the Dat occupying exactly buf[offset, end). Its byte fields are
 * views into one fresh copy of those bytes (one allocation, not seven), so
 * they never alias `buf`; the copy comes from alloc().
 * @throws DaveError ERR_TRUNCATED, ERR_TOO_LARGE, ERR_BAD_LENGTH, ERR_BAD_TIME
 */
export function readDat(buf: Uint8Array, offset: number, end: number): Dat {
  const b = end === buf.length ? buf : buf.subarray(0, end);
  need(b, offset, DAT_HEADER_LEN, 'dat header');
  const time = readTime(b, offset, 'dat time');
  const keyLen = b[offset + DAT_KEY_LEN_AT]!;
  need(b, offset + DAT_KEY_AT, keyLen + 2, 'dat key and value length');
  const valLen = readU16(b, offset + DAT_KEY_AT + keyLen, 'dat value length');
  if (keyLen + valLen > MAX_DAT_KV_LEN) {
    throw new DaveError('ERR_TOO_LARGE', `dat key + value is ${keyLen + valLen} bytes, at most ${MAX_DAT_KV_LEN}`);
  }
  const o = offset + DAT_HEADER_LEN + keyLen;
  need(b, o, valLen, 'dat value');
  if (o + valLen !== end) {
    throw new DaveError('ERR_BAD_LENGTH', `dat ends at ${o + valLen} but its frame ends at ${end}`);
  }
  const c = copyOf(b, offset, end);
  return {
    time,
    salt: c.subarray(8, 24),
    work: c.subarray(24, 56),
    sig: c.subarray(56, 120),
    pubKey: c.subarray(120, 152),
    key: c.subarray(153, 153 + keyLen),
    value: c.subarray(DAT_HEADER_LEN + keyLen),
  };
}

/**
 * Decodes a Dat that fills `buf` exactly.
 * @throws DaveError ERR_INVALID_ARGUMENT (not a Uint8Array), ERR_TRUNCATED, ERR_TOO_LARGE, ERR_BAD_LENGTH, ERR_BAD_TIME
 */
export function decodeDat(buf: Uint8Array): Dat {
  if (!(buf instanceof Uint8Array)) throw new DaveError('ERR_INVALID_ARGUMENT', 'buf must be a Uint8Array');
  return readDat(buf, 0, buf.length);
}
