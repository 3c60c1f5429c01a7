/**
 * A batch of records as their wire bytes: the unit of the receive path from
 * a TCP read to the database (docs/node.md, "The batch path"). Each record
 * is its encoded Entry (docs/protocol.md §5), a view of the frame it came in, which
 * is also its stored form: nothing is decoded into objects or encoded
 * again. Per record the batch keeps its layout (time, key and value
 * lengths), its store key, hashed once in `prepare`, and a state the
 * stages move forward (checked, verified, stored or dropped). Per-record
 * data lives in arrays of the batch, never in an object per record.
 */
import { MAX_CLOCK_SKEW_MS, MIN_WORK, PUBKEY_LEN, SIG_LEN } from '../constants.js';
import type { ErrorCode } from '../errors.js';
import type { Dat } from '../wire/dat.js';
import { ENTRY_DAT_AT, ENTRY_KEY_AT, ENTRY_PUBKEY_AT, ENTRY_REPLICAS_END, type EntryLayout, entryLayout } from '../wire/entry.js';
import { checkWorkAt } from '../crypto/work.js';
import { verify } from '../crypto/ed25519.js';
import { blake3 } from '../crypto/hash.js';
import { Scratch, writeTime } from '../wire/bytes.js';
import { entryStoreKey } from './record.js';

/** A record's state in its batch. */
export const REC_NEW = 0;
/** Passed the cheap checks: its signature is to be checked. */
export const REC_VERIFY = 1;
/** Verified, or identical to the stored record: to be stored. */
export const REC_ACCEPT = 2;
/** Refused, failed or handled elsewhere: not stored by the batch. */
export const REC_DROPPED = 3;

// Offsets inside a Dat (docs/protocol.md §4), from its start.
const SIG_AT = 56;
const PUB_AT = 120;
const KEY_AT = 153;

const layout: EntryLayout = { time: 0, keyLen: 0, valueLen: 0 };

export class EntryBatch {
  /** Each record's encoded Entry: its stored form (never mutated). */
  readonly entries: Uint8Array[] = [];
  readonly times: number[] = [];
  readonly keyLens: number[] = [];
  readonly valueLens: number[] = [];
  /** Store keys, one per record, from `prepare`. */
  readonly keys: bigint[] = [];
  /** REC_* per record, from `prepare`. */
  state: Uint8Array = new Uint8Array(0);

  /** Records in the batch. */
  get count(): number {
    return this.entries.length;
  }

  /**
   * Appends the encoded Entry `b` (kept as given: hand in bytes nobody
   * writes to afterwards) when it decodes as decodeEntry would; returns
   * false and keeps nothing when it does not.
   * Never throws.
   */
  add(b: Uint8Array): boolean {
    if (!entryLayout(b, layout)) return false;
    this.entries.push(b);
    this.times.push(layout.time);
    this.keyLens.push(layout.keyLen);
    this.valueLens.push(layout.valueLen);
    return true;
  }

  /**
   * Hashes every record's store key (xxhash64(pubKey ‖ key), read in
   * place) and sets every state to REC_NEW: one loop, before any lookup.
   * Never throws.
   */
  prepare(): void {
    const n = this.entries.length;
    this.state = new Uint8Array(n);
    for (let i = this.keys.length; i < n; i++) this.keys.push(entryStoreKey(this.entries[i]!, this.keyLens[i]!));
  }

  /**
   * The cheap checks of docs/protocol.md §4 on record `i` (time, proof of work; the
   * public key has its wire size by construction), in place: null when
   * they pass, else the code verifyDat would throw.
   * Never throws.
   */
  precheck(i: number, now: number, maxClockSkew = MAX_CLOCK_SKEW_MS): ErrorCode | null {
    if (this.times[i]! > now + maxClockSkew) return 'ERR_FUTURE_TIME';
    const w = checkWorkAt(this.entries[i]!, ENTRY_DAT_AT, MIN_WORK);
    return w === 0 ? null : w === 1 ? 'ERR_INSUFFICIENT_WORK' : 'ERR_BAD_WORK';
  }

  /**
   * True when record `i`'s signature is valid (docs/protocol.md §4, step 5), checked
   * on this thread. Never throws.
   */
  signatureValid(i: number): boolean {
    return signatureValidAt(this.entries[i]!, ENTRY_DAT_AT, this.times[i]!, this.keyLens[i]!, this.valueLens[i]!);
  }

  /**
   * Record `i` as a Dat whose fields are views of the batch's bytes (no
   * copy): for the slow paths that need an object. Never throws.
   */
  dat(i: number): Dat {
    const b = this.entries[i]!;
    const d = ENTRY_DAT_AT;
    const k = this.keyLens[i]!;
    return {
      time: this.times[i]!,
      salt: b.subarray(d + 8, d + 24),
      work: b.subarray(d + 24, d + 56),
      sig: b.subarray(d + SIG_AT, d + PUB_AT),
      pubKey: b.subarray(ENTRY_PUBKEY_AT, ENTRY_PUBKEY_AT + 32),
      key: b.subarray(ENTRY_KEY_AT, ENTRY_KEY_AT + k),
      value: b.subarray(ENTRY_KEY_AT + k + 2),
    };
  }
}

/**
 * The ed25519 check of a Dat held in `b` from offset `dat`, whose time and
 * key and value lengths the caller read (entryLayout): the signature over
 * blake3(key ‖ value ‖ time), as datSigningHash computes it. Runs once per
 * record on the verify workers, so it allocates only the digest: the
 * message is gathered into a scratch buffer, the signature and public key
 * copied into two fixed ones (verify reads them and keeps nothing).
 * Never throws.
 */
export function signatureValidAt(b: Uint8Array, dat: number, time: number, keyLen: number, valueLen: number): boolean {
  const k = dat + KEY_AT;
  let n = message.gather(0, b, k, k + keyLen);
  n = message.gather(n, b, k + keyLen + 2, k + keyLen + 2 + valueLen);
  writeTime(timeBytes, 0, time);
  n = message.gather(n, timeBytes, 0, 8);
  for (let i = 0; i < SIG_LEN; i++) sigBytes[i] = b[dat + SIG_AT + i]!;
  for (let i = 0; i < PUBKEY_LEN; i++) pubBytes[i] = b[dat + PUB_AT + i]!;
  return verify(pubBytes, blake3(message.view(n)), sigBytes);
}
const message = new Scratch(2048);
const timeBytes = new Uint8Array(8);
const sigBytes = new Uint8Array(SIG_LEN);
const pubBytes = new Uint8Array(PUBKEY_LEN);

/**
 * True when the encoded entries `a` and `b` hold the same Dat (every byte
 * after the replicas). Never throws.
 */
export function sameDatBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= ENTRY_REPLICAS_END; i--) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * True when the encoded entries `a` and `b` name the same replicas. Never throws.
 */
export function sameReplicaBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < ENTRY_REPLICAS_END; i++) if (a[i] !== b[i]) return false;
  return true;
}
