/**
 * Proof of work, docs/protocol.md §4: work = blake3(salt ‖ blake3(sig)) must have at
 * least MIN_WORK leading zero bits. Pure functions; the worker-thread pool
 * for high difficulties lives in pow-pool.ts.
 */
import { SALT_LEN } from '../constants.js';
import { blake3 } from './hash.js';
import { blake3Block, blockWords, leadingZeroBitsOfWords, wordsToBytes } from './blake3-block.js';

/**
 * Leading zero bits of `work`, from the most significant bit of byte 0.
 * All zero gives 8 × length (256 for a work hash), not Go's wrapped 0.
 * Never throws.
 */
export function leadingZeroBits(work: Uint8Array): number {
  for (let i = 0; i < work.length; i++) {
    const b = work[i]!;
    if (b !== 0) return i * 8 + Math.clz32(b) - 24;
  }
  return work.length * 8;
}

const hashWords = new Uint32Array(8);

/**
 * blake3(salt ‖ blake3(sig)). Both inputs fit one BLAKE3 block (64 and 48
 * bytes), so this uses the JS single-block path; other lengths go to
 * hash.ts.
 * Never throws.
 */
export function workHash(salt: Uint8Array, sig: Uint8Array): Uint8Array {
  if (sig.length > 64 || salt.length + 32 > 64) return blake3(salt, blake3(sig));
  blake3Block(blockWords(sig), sig.length, hashWords);
  const sigHash = wordsToBytes(hashWords);
  blake3Block(blockWords(salt, sigHash), salt.length + 32, hashWords);
  return wordsToBytes(hashWords);
}

/**
 * The salt godave tries as its `counter`-th guess: the counter as a LE u64 in bytes 8..15.
 * Never throws for a counter in [0, 2^53).
 */
export function saltOf(counter: number): Uint8Array {
  const salt = new Uint8Array(SALT_LEN);
  new DataView(salt.buffer).setBigUint64(8, BigInt(counter), true);
  return salt;
}

/** Counters stay below 2^53 (number arithmetic); no search gets near that. */
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

/**
 * Tries the salts of counters `from` .. `from + count - 1` in order against
 * `sigHash` = blake3(sig). Returns the first counter whose work has
 * `difficulty` leading zero bits, or -1. Pure; never throws.
 */
export function searchWork(sigHash: Uint8Array, difficulty: number, from: number, count: number): number {
  // The block is salt ‖ sigHash (48 bytes): words 0-1 are salt bytes 0..7
  // (always zero here), words 2-3 the counter, words 4-11 the sig hash.
  const words = blockWords(new Uint8Array(SALT_LEN), sigHash);
  const out = new Uint32Array(8);
  const end = Math.min(from + count, MAX_COUNTER);
  for (let c = from; c < end; c++) {
    words[2] = c >>> 0;
    words[3] = Math.floor(c / 0x1_0000_0000);
    blake3Block(words, 48, out);
    if (leadingZeroBitsOfWords(out) >= difficulty) return c;
  }
  return -1;
}

/**
 * Searches salts as godave does (a little-endian u64 counter in salt bytes
 * 8..15, from `start`) until the work has `difficulty` leading zero bits.
 * Tries at most `limit` salts; returns null if none qualified. The same
 * inputs give godave's salt.
 * Never throws.
 */
export function solveWork(
  sig: Uint8Array,
  difficulty: number,
  start = 0,
  limit = Number.POSITIVE_INFINITY,
): { salt: Uint8Array; work: Uint8Array; tries: number } | null {
  const sigHash = blake3(sig);
  const c = searchWork(sigHash, difficulty, start, Math.min(limit, MAX_COUNTER));
  if (c < 0) return null;
  return { salt: saltOf(c), work: workOf(c, sigHash), tries: c - start + 1 };
}

/**
 * The work of counter `c` against `sigHash`.
 * Never throws.
 */
export function workOf(c: number, sigHash: Uint8Array): Uint8Array {
  const out = new Uint32Array(8);
  blake3Block(blockWords(saltOf(c), sigHash), 48, out);
  return wordsToBytes(out);
}

const sigBlock = new Uint32Array(16);
const saltBlock = new Uint32Array(16);
const sigHashWords = new Uint32Array(8);
const workWords = new Uint32Array(8);

function wordAt(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * The proof-of-work checks of docs/protocol.md §4 on a Dat held in `b`
 * from offset `dat` (salt at +8, work at +24, sig at +56; docs/protocol.md §4), read
 * in place and without allocating: 0 when the work has at least `minWork`
 * leading zero bits and equals blake3(salt ‖ blake3(sig)), 1 when it has
 * too few bits, 2 when it is not that hash. Same verdicts as
 * leadingZeroBits and workHash (the tests compare them).
 * Never throws for a `b` holding those 120 bytes.
 */
export function checkWorkAt(b: Uint8Array, dat: number, minWork: number): 0 | 1 | 2 {
  const work = dat + 24;
  let bits = 256;
  for (let i = 0; i < 32; i++) {
    const x = b[work + i]!;
    if (x !== 0) {
      bits = i * 8 + Math.clz32(x) - 24;
      break;
    }
  }
  if (bits < minWork) return 1;
  const sig = dat + 56;
  for (let i = 0; i < 16; i++) sigBlock[i] = wordAt(b, sig + i * 4);
  blake3Block(sigBlock, 64, sigHashWords);
  const salt = dat + 8;
  for (let i = 0; i < 4; i++) saltBlock[i] = wordAt(b, salt + i * 4);
  for (let i = 0; i < 8; i++) saltBlock[4 + i] = sigHashWords[i]!;
  blake3Block(saltBlock, 48, workWords);
  for (let i = 0; i < 8; i++) if (workWords[i] !== wordAt(b, work + i * 4)) return 2;
  return 0;
}
