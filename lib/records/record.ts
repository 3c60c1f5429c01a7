/**
 * Signed records, docs/protocol.md §3, §4, §9: creating a Dat (sign, then proof of
 * work), verifying one in the order of docs/protocol.md §4, and the IDs and keys derived
 * from public keys.
 */
import {
  ENTRY_OVERHEAD,
  MAX_CLOCK_SKEW_MS,
  MAX_KEY_LEN,
  MAX_KV_LEN,
  MIN_WORK,
  PUBKEY_LEN,
} from '../constants.js';
import { DaveError } from '../errors.js';
import { checkBytes, concatBytes, equalBytes, Scratch, toBytes, writeTime } from '../wire/bytes.js';
import type { Dat } from '../wire/dat.js';
import { ENTRY_KEY_AT, ENTRY_PUBKEY_AT } from '../wire/entry.js';
import { cachedSigningKey, sign, type SigningKey } from '../crypto/ed25519.js';
import { blake3, ready, xxhash64 } from '../crypto/hash.js';
import { leadingZeroBits, solveWork } from '../crypto/work.js';
import { rememberSigned } from './provenance.js';
import { type CryptoSuite, realCrypto } from '../crypto/suite.js';

/**
 * The hash a Dat's owner signs: blake3(key ‖ value ‖ time_u64le).
 * Never throws for a safe-integer time.
 */
export function datSigningHash(key: Uint8Array, value: Uint8Array, time: number): Uint8Array {
  writeTime(timeBytes, 0, time);
  return blake3(key, value, timeBytes);
}
const timeBytes = new Uint8Array(8);

/**
 * A node's or owner's ID: the first 8 bytes of its public key, little-endian.
 * @throws DaveError ERR_INVALID_ARGUMENT (not 32 bytes)
 */
export function nodeId(publicKey: Uint8Array): bigint {
  checkBytes(publicKey, PUBKEY_LEN, 'publicKey');
  return new DataView(publicKey.buffer, publicKey.byteOffset, 8).getBigUint64(0, true);
}

/**
 * Where a record lives in a store: xxhash64(pubKey ‖ key), seed 0.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function storeKey(publicKey: Uint8Array, key: string | Uint8Array): bigint {
  checkBytes(publicKey, PUBKEY_LEN, 'publicKey');
  return xxhash64(concatBytes(publicKey, toBytes(key, 'key')));
}

/**
 * The shard (0..255) of a store key: its top byte.
 * Never throws.
 */
export function shardOf(storeKey: bigint): number {
  return Number(storeKey >> 56n);
}

/**
 * Bytes a stored record is accounted for: value + key + 224 (docs/protocol.md §9).
 * Never throws.
 */
export function entrySize(dat: Dat): number {
  return dat.value.length + dat.key.length + ENTRY_OVERHEAD;
}

function toSigner(privateKey: unknown): SigningKey {
  if (privateKey instanceof Uint8Array) return cachedSigningKey(privateKey);
  const k = privateKey as SigningKey | null;
  if (k === null || typeof k !== 'object' || !(k.publicKey instanceof Uint8Array) || k.keyObject === undefined) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'privateKey must be a 32-byte seed or a SigningKey from signingKey()');
  }
  return k;
}

/** What createDat needs: key, value, owner, and optionally time and difficulty. */
export interface CreateDatOptions {
  /** The record's name: a string (UTF-8) or bytes, at most 255 bytes. */
  key: string | Uint8Array;
  value: string | Uint8Array;
  /** The owner's 32-byte ed25519 seed, or a SigningKey from signingKey() (parsed once). */
  privateKey: Uint8Array | SigningKey;
  /** Milliseconds since the epoch; default now. */
  time?: number;
  /** Leading zero bits of work; default MIN_WORK. */
  difficulty?: number;
}

/**
 * A proof-of-work search: the salt godave's sequential search finds for
 * `sig` at `difficulty` bits, and its work hash.
 */
export type WorkSolver = (
  sig: Uint8Array,
  difficulty: number,
) => { salt: Uint8Array; work: Uint8Array } | Promise<{ salt: Uint8Array; work: Uint8Array }>;

/** The search on this thread (crypto/work solveWork): blocks until found. */
export const solveHere: WorkSolver = (sig, difficulty) => solveWork(sig, difficulty)!;

/**
 * Creates a signed Dat with its proof of work found by `solve` (default:
 * on this thread). Salts are searched as godave searches them, so the same
 * inputs give godave's bytes. Records stay pure: the package's createDat
 * (workers/create-dat.ts, the one to call) passes the worker-thread pool
 * for high difficulties.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_TOO_LARGE (key over 255 bytes
 *   or key + value over 1224 bytes)
 */
export async function signDat(options: CreateDatOptions, solve: WorkSolver = solveHere): Promise<Dat> {
  if (options === null || typeof options !== 'object') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'createDat needs an options object');
  }
  const key = Uint8Array.from(toBytes(options.key, 'key'));
  const value = Uint8Array.from(toBytes(options.value, 'value'));
  if (key.length > MAX_KEY_LEN) {
    throw new DaveError('ERR_TOO_LARGE', `key is ${key.length} bytes, at most ${MAX_KEY_LEN}`);
  }
  if (key.length + value.length > MAX_KV_LEN) {
    throw new DaveError(
      'ERR_TOO_LARGE',
      `key + value is ${key.length + value.length} bytes, at most ${MAX_KV_LEN} (a record must fit in one PUT)`,
    );
  }
  const time = options.time ?? Date.now();
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'time must be a non-negative integer of milliseconds');
  }
  const difficulty = options.difficulty ?? MIN_WORK;
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > 256) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'difficulty must be an integer from 0 to 256');
  }
  const signer = toSigner(options.privateKey);
  await ready(); // the WASM BLAKE3, loaded on first need (crypto/hash.ts)
  const sig = sign(signer, datSigningHash(key, value, time));
  const solved = await solve(sig, difficulty);
  const dat: Dat = { time, salt: solved.salt, work: solved.work, sig, pubKey: Uint8Array.from(signer.publicKey), key, value };
  rememberSigned(dat); // lets this process's batch writer skip re-verifying it (records/provenance.ts)
  return dat;
}

/** verifyDat's clock and thresholds; every field optional. */
export interface VerifyDatOptions {
  /** The clock, in milliseconds; default Date.now(). */
  now?: number;
  /** Least leading zero bits; default MIN_WORK. */
  minWork?: number;
  /** Allowed lead of the record's time over `now`; default MAX_CLOCK_SKEW_MS (5 s). */
  maxClockSkew?: number;
}

/**
 * The cheap checks of docs/protocol.md §4 (1 to 4: time, public key, proof of work):
 * two BLAKE3 calls, no signature. The node runs them before a record waits
 * for a full verification, so junk never fills the verify queue.
 * @throws DaveError ERR_FUTURE_TIME, ERR_BAD_PUBKEY, ERR_INSUFFICIENT_WORK, ERR_BAD_WORK
 */
export function precheckDat(dat: Dat, options: VerifyDatOptions = {}): void {
  precheckWith(realCrypto, dat, options);
}

/**
 * precheckDat with the work hash of `suite` (a node's crypto, crypto/suite.ts).
 * Not exported by the package.
 * @throws as precheckDat
 */
export function precheckWith(suite: CryptoSuite, dat: Dat, options: VerifyDatOptions = {}): void {
  const now = options.now ?? Date.now();
  const skew = options.maxClockSkew ?? MAX_CLOCK_SKEW_MS;
  if (dat.time > now + skew) {
    throw new DaveError('ERR_FUTURE_TIME', `time is invalid: ${dat.time} is ahead of now (${now}) by more than ${skew} ms`);
  }
  if (!(dat.pubKey instanceof Uint8Array) || dat.pubKey.length !== PUBKEY_LEN) {
    throw new DaveError('ERR_BAD_PUBKEY', `public key must be ${PUBKEY_LEN} bytes`);
  }
  const minWork = options.minWork ?? MIN_WORK;
  if (leadingZeroBits(dat.work) < minWork) {
    throw new DaveError('ERR_INSUFFICIENT_WORK', `work is insufficient: fewer than ${minWork} leading zero bits`);
  }
  if (!equalBytes(suite.workHash(dat.salt, dat.sig), dat.work)) {
    throw new DaveError('ERR_BAD_WORK', 'work invalid: hash is invalid');
  }
}

/**
 * Verifies a Dat: the checks of docs/protocol.md §4, in order (precheckDat, then the
 * signature). Returns nothing when the record is valid.
 * @throws DaveError ERR_FUTURE_TIME, ERR_BAD_PUBKEY, ERR_INSUFFICIENT_WORK,
 *   ERR_BAD_WORK, ERR_BAD_SIGNATURE
 */
export function verifyDat(dat: Dat, options: VerifyDatOptions = {}): void {
  verifyWith(realCrypto, dat, options);
}

/**
 * verifyDat with the crypto of `suite` (crypto/suite.ts). Not exported by the package.
 * @throws as verifyDat
 */
export function verifyWith(suite: CryptoSuite, dat: Dat, options: VerifyDatOptions = {}): void {
  precheckWith(suite, dat, options);
  checkSignatureWith(suite, dat);
}

/**
 * The last check of docs/protocol.md §4, the signature alone: for a verifier
 * that ran precheckDat already (the verify pool runs it before queueing).
 * @throws DaveError ERR_BAD_SIGNATURE
 */
export function checkSignature(dat: Dat): void {
  checkSignatureWith(realCrypto, dat);
}

/**
 * checkSignature with the signature check of `suite` (crypto/suite.ts). Not exported by the package.
 * @throws DaveError ERR_BAD_SIGNATURE
 */
export function checkSignatureWith(suite: CryptoSuite, dat: Dat): void {
  if (!suite.verify(dat.pubKey, datSigningHash(dat.key, dat.value, dat.time), dat.sig)) {
    throw new DaveError('ERR_BAD_SIGNATURE', 'signature invalid');
  }
}

const keyScratch = new Scratch(PUBKEY_LEN + MAX_KEY_LEN);

/**
 * The store key of encoded Entry bytes (docs/protocol.md §5), read in
 * place: xxhash64(pubKey ‖ key) of the Dat inside, the same value as
 * storeKey(dat.pubKey, dat.key), without decoding. `keyLen` is the Dat's key
 * length (entryLayout reads it).
 * Never throws for bytes entryLayout accepted.
 */
export function entryStoreKey(b: Uint8Array, keyLen: number): bigint {
  keyScratch.gather(0, b, ENTRY_PUBKEY_AT, ENTRY_PUBKEY_AT + PUBKEY_LEN);
  return xxhash64(keyScratch.view(keyScratch.gather(PUBKEY_LEN, b, ENTRY_KEY_AT, ENTRY_KEY_AT + keyLen)));
}
