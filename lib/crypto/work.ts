/**
 * Proof of work, spec §4: work = blake3(salt ‖ blake3(sig)) must have at
 * least MIN_WORK leading zero bits. Pure functions; the worker-thread pool
 * for high difficulties lives in pow-pool.ts.
 */
import { SALT_LEN } from '../constants.js';
import { blake3 } from './hash.js';

/**
 * Leading zero bits of `work`, from the most significant bit of byte 0.
 * All zero gives 8 × length (256 for a work hash), not Go's wrapped 0.
 */
export function leadingZeroBits(work: Uint8Array): number {
  for (let i = 0; i < work.length; i++) {
    const b = work[i]!;
    if (b !== 0) return i * 8 + Math.clz32(b) - 24;
  }
  return work.length * 8;
}

/** blake3(salt ‖ blake3(sig)). */
export function workHash(salt: Uint8Array, sig: Uint8Array): Uint8Array {
  return blake3(salt, blake3(sig));
}

/**
 * Searches salts as godave does (a little-endian u64 counter in salt bytes
 * 8..15, from `start`) until the work has `difficulty` leading zero bits.
 * Tries at most `limit` salts; returns null if none qualified.
 */
export function solveWork(
  sig: Uint8Array,
  difficulty: number,
  start = 0n,
  limit = Number.POSITIVE_INFINITY,
): { salt: Uint8Array; work: Uint8Array; tries: number } | null {
  const sigHash = blake3(sig);
  const salt = new Uint8Array(SALT_LEN);
  const dv = new DataView(salt.buffer);
  let counter = start;
  for (let tries = 1; tries <= limit; tries++, counter++) {
    // counter's low 64 bits in bytes 8..15, overflow into bytes 0..7
    dv.setBigUint64(8, counter & 0xffffffffffffffffn, true);
    dv.setBigUint64(0, (counter >> 64n) & 0xffffffffffffffffn, true);
    const work = blake3(salt, sigHash);
    if (leadingZeroBits(work) >= difficulty) return { salt: Uint8Array.from(salt), work, tries };
  }
  return null;
}
