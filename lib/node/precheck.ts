/**
 * The cheap part of record verification (spec §4 checks 1 to 4: time,
 * public key, proof of work): two BLAKE3 calls, no signature. The batch
 * writer runs it on every record it sends; the replicas run the full
 * verification (with the signature) before they store anything.
 */
import { MIN_WORK, PUBKEY_LEN } from '../constants.js';
import { DaveError } from '../errors.js';
import { equalBytes } from '../wire/bytes.js';
import type { Dat } from '../wire/dat.js';
import { leadingZeroBits, workHash } from '../crypto/work.js';

/**
 * @throws DaveError ERR_FUTURE_TIME, ERR_BAD_PUBKEY, ERR_INSUFFICIENT_WORK, ERR_BAD_WORK
 */
export function precheckDat(dat: Dat, now: number, maxClockSkew: number): void {
  if (dat.time > now + maxClockSkew) {
    throw new DaveError('ERR_FUTURE_TIME', `time is invalid: ${dat.time} is ahead of now (${now}) by more than ${maxClockSkew} ms`);
  }
  if (!(dat.pubKey instanceof Uint8Array) || dat.pubKey.length !== PUBKEY_LEN) {
    throw new DaveError('ERR_BAD_PUBKEY', `public key must be ${PUBKEY_LEN} bytes`);
  }
  if (leadingZeroBits(dat.work) < MIN_WORK) {
    throw new DaveError('ERR_INSUFFICIENT_WORK', `work is insufficient: fewer than ${MIN_WORK} leading zero bits`);
  }
  if (!equalBytes(workHash(dat.salt, dat.sig), dat.work)) {
    throw new DaveError('ERR_BAD_WORK', 'work invalid: hash is invalid');
  }
}
