/**
 * Cheap crypto, the simulator's stand-in for ed25519 and proof of work
 * (docs/simulation.md, "Cheap crypto"), for protocol-scale runs where
 * real signatures would cost most of the CPU. Every value keeps its size
 * (a signature is 64 bytes, a salt and a work hash 32), so every message
 * keeps its bytes' length and packet and byte counts stay true. It costs
 * a few dozen integer operations instead of a signature.
 *
 * It is no crypto: anyone can make a stand-in signature for any key. A
 * node gets it only from the simulator, through the seam of
 * crypto/suite.ts; every other node checks real ed25519 and real BLAKE3
 * work, and rejects a stand-in twice over: its signature's S half is
 * above the group order (byte 63 is 0xff), which every ed25519 verifier
 * refuses, and its work is not the BLAKE3 hash of its salt and signature.
 */
import type { SigningKey } from '../crypto/ed25519.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { SALT_LEN, SIG_LEN } from '../constants.js';

/** Leading zero bits of a stand-in work hash (its first 4 bytes are 0): records of up to this difficulty pass. */
export const CHEAP_WORK_BITS = 32;

/** 32-bit mix (murmur3's finalizer). */
function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit digest of `a` then `b`, seeded. */
function digest(seed: number, a: Uint8Array, b: Uint8Array): number {
  let h = seed >>> 0;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i]!, 0x01000193);
  h = fmix(h ^ a.length);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return fmix(h ^ b.length);
}

/** `out` from offset `from` filled with a stream drawn from `h`. */
function fill(out: Uint8Array, from: number, h: number): Uint8Array {
  for (let i = from; i < out.length; i += 4) {
    h = fmix(h + 0x9e3779b9);
    for (let j = 0; j < 4 && i + j < out.length; j++) out[i + j] = (h >>> (8 * j)) & 0xff;
  }
  return out;
}

function standInSig(pubKey: Uint8Array, message: Uint8Array): Uint8Array {
  const sig = fill(new Uint8Array(SIG_LEN), 0, digest(0x5151, pubKey, message));
  sig[SIG_LEN - 1] = 0xff; // S >= the group order: no ed25519 verifier accepts it
  return sig;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The stand-in: same sizes, no security. Never give it to a node outside a simulation. */
export const cheapCrypto: CryptoSuite = Object.freeze({
  name: 'cheap',
  sign: (key: SigningKey, message: Uint8Array) => standInSig(key.publicKey, message),
  verify: (pubKey: Uint8Array, message: Uint8Array, sig: Uint8Array) =>
    pubKey.length === 32 && sig.length === SIG_LEN && sameBytes(sig, standInSig(pubKey, message)),
  workHash: (salt: Uint8Array, sig: Uint8Array) => fill(new Uint8Array(32), 4, digest(0x3232, salt, sig)),
});

/** A stand-in proof of work for `sig`: a salt (zero) and its work (CHEAP_WORK_BITS leading zero bits). */
export function cheapWork(sig: Uint8Array): { salt: Uint8Array; work: Uint8Array } {
  const salt = new Uint8Array(SALT_LEN);
  return { salt, work: cheapCrypto.workHash(salt, sig) };
}
