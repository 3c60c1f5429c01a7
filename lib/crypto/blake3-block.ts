/**
 * BLAKE3-256 of one block (at most 64 bytes), in plain JavaScript, for the
 * proof-of-work inner loop. A record's work hash is blake3 of 48 bytes
 * (salt ‖ blake3(sig)): one chunk, one block, one compression. Doing that
 * compression here, on 32-bit words the caller keeps and updates in place,
 * avoids the per-call WASM entry and the digest allocation, which cost more
 * than the compression itself. The tests check it against @noble/hashes.
 */

const IV = Uint32Array.of(
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
);
/** CHUNK_START | CHUNK_END | ROOT: the flags of a single-block hash. */
const FLAGS = 1 | 2 | 8;
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];

/** SCHEDULE[r * 16 + i]: which message word round r uses in position i. */
const SCHEDULE = new Uint8Array(7 * 16);
for (let i = 0; i < 16; i++) SCHEDULE[i] = i;
for (let r = 1; r < 7; r++) {
  for (let i = 0; i < 16; i++) SCHEDULE[r * 16 + i] = SCHEDULE[(r - 1) * 16 + PERMUTATION[i]!]!;
}

/**
 * Hashes one block. `words` holds the block as 16 little-endian u32 words,
 * zero-padded past `len` bytes; the 8 output words (the digest, little-
 * endian) are written to `out`. Never throws; `len` must be 0..64.
 */
export function blake3Block(words: Uint32Array, len: number, out: Uint32Array): void {
  let v0 = IV[0]!, v1 = IV[1]!, v2 = IV[2]!, v3 = IV[3]!;
  let v4 = IV[4]!, v5 = IV[5]!, v6 = IV[6]!, v7 = IV[7]!;
  let v8 = IV[0]!, v9 = IV[1]!, v10 = IV[2]!, v11 = IV[3]!;
  let v12 = 0, v13 = 0, v14 = len, v15 = FLAGS;
  // Seven rounds of eight G mixes, unrolled into locals: this runs millions
  // of times per second, and array-held state is several times slower.
  for (let r = 0; r < 112; r += 16) {
    const s = SCHEDULE;
    let x = words[s[r]!]!, y = words[s[r + 1]!]!;
    v0 = (v0 + v4 + x) | 0; v12 ^= v0; v12 = (v12 >>> 16) | (v12 << 16);
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 12) | (v4 << 20);
    v0 = (v0 + v4 + y) | 0; v12 ^= v0; v12 = (v12 >>> 8) | (v12 << 24);
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 7) | (v4 << 25);
    x = words[s[r + 2]!]!; y = words[s[r + 3]!]!;
    v1 = (v1 + v5 + x) | 0; v13 ^= v1; v13 = (v13 >>> 16) | (v13 << 16);
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 12) | (v5 << 20);
    v1 = (v1 + v5 + y) | 0; v13 ^= v1; v13 = (v13 >>> 8) | (v13 << 24);
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 7) | (v5 << 25);
    x = words[s[r + 4]!]!; y = words[s[r + 5]!]!;
    v2 = (v2 + v6 + x) | 0; v14 ^= v2; v14 = (v14 >>> 16) | (v14 << 16);
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 12) | (v6 << 20);
    v2 = (v2 + v6 + y) | 0; v14 ^= v2; v14 = (v14 >>> 8) | (v14 << 24);
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 7) | (v6 << 25);
    x = words[s[r + 6]!]!; y = words[s[r + 7]!]!;
    v3 = (v3 + v7 + x) | 0; v15 ^= v3; v15 = (v15 >>> 16) | (v15 << 16);
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 12) | (v7 << 20);
    v3 = (v3 + v7 + y) | 0; v15 ^= v3; v15 = (v15 >>> 8) | (v15 << 24);
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 7) | (v7 << 25);
    x = words[s[r + 8]!]!; y = words[s[r + 9]!]!;
    v0 = (v0 + v5 + x) | 0; v15 ^= v0; v15 = (v15 >>> 16) | (v15 << 16);
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 12) | (v5 << 20);
    v0 = (v0 + v5 + y) | 0; v15 ^= v0; v15 = (v15 >>> 8) | (v15 << 24);
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 7) | (v5 << 25);
    x = words[s[r + 10]!]!; y = words[s[r + 11]!]!;
    v1 = (v1 + v6 + x) | 0; v12 ^= v1; v12 = (v12 >>> 16) | (v12 << 16);
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 12) | (v6 << 20);
    v1 = (v1 + v6 + y) | 0; v12 ^= v1; v12 = (v12 >>> 8) | (v12 << 24);
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 7) | (v6 << 25);
    x = words[s[r + 12]!]!; y = words[s[r + 13]!]!;
    v2 = (v2 + v7 + x) | 0; v13 ^= v2; v13 = (v13 >>> 16) | (v13 << 16);
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 12) | (v7 << 20);
    v2 = (v2 + v7 + y) | 0; v13 ^= v2; v13 = (v13 >>> 8) | (v13 << 24);
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 7) | (v7 << 25);
    x = words[s[r + 14]!]!; y = words[s[r + 15]!]!;
    v3 = (v3 + v4 + x) | 0; v14 ^= v3; v14 = (v14 >>> 16) | (v14 << 16);
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 12) | (v4 << 20);
    v3 = (v3 + v4 + y) | 0; v14 ^= v3; v14 = (v14 >>> 8) | (v14 << 24);
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 7) | (v4 << 25);
  }
  out[0] = v0 ^ v8;
  out[1] = v1 ^ v9;
  out[2] = v2 ^ v10;
  out[3] = v3 ^ v11;
  out[4] = v4 ^ v12;
  out[5] = v5 ^ v13;
  out[6] = v6 ^ v14;
  out[7] = v7 ^ v15;
}

/**
 * The 16 little-endian words of a block made of `parts` (at most 64 bytes, zero-padded).
 * Never throws for at most 64 bytes in all.
 */
export function blockWords(...parts: Uint8Array[]): Uint32Array {
  const bytes = new Uint8Array(64);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  const words = new Uint32Array(16);
  for (let i = 0; i < 16; i++) {
    words[i] = bytes[i * 4]! | (bytes[i * 4 + 1]! << 8) | (bytes[i * 4 + 2]! << 16) | (bytes[i * 4 + 3]! << 24);
  }
  return words;
}

/**
 * The digest bytes of 8 output words.
 * Never throws.
 */
export function wordsToBytes(out: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = out[i]!;
    bytes[i * 4] = w & 0xff;
    bytes[i * 4 + 1] = (w >>> 8) & 0xff;
    bytes[i * 4 + 2] = (w >>> 16) & 0xff;
    bytes[i * 4 + 3] = w >>> 24;
  }
  return bytes;
}

/**
 * Leading zero bits of the digest held in 8 output words, counted as
 * leadingZeroBits counts the digest bytes (byte 0 is the low byte of word 0).
 * Never throws.
 */
export function leadingZeroBitsOfWords(out: Uint32Array): number {
  for (let i = 0; i < 8; i++) {
    const w = out[i]!;
    if (w !== 0) {
      const be = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
      return i * 32 + Math.clz32(be);
    }
  }
  return 256;
}
