/**
 * Hashes: BLAKE3-256 (signatures, proof of work) and xxhash64 (store keys).
 *
 * BLAKE3 runs on hash-wasm's WebAssembly build, ~6x faster here than
 * @noble/hashes for the 48-byte proof-of-work input; the noble function is
 * kept as the reference, and the tests check both give identical digests.
 * Both WASM modules initialise once, at import (top-level await), so every
 * function here is synchronous.
 */
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { createBLAKE3, type IHasher } from 'hash-wasm';
import xxhash from 'xxhash-wasm';

const wasmBlake3: IHasher | null = await createBLAKE3().catch(() => null);
const xx = await xxhash();

/**
 * BLAKE3-256 of the concatenation of `parts` (WASM, or noble when WASM failed to load).
 * Never throws for Uint8Array parts.
 */
export function blake3(...parts: Uint8Array[]): Uint8Array {
  if (wasmBlake3 === null) return blake3Reference(...parts);
  wasmBlake3.init();
  for (const p of parts) wasmBlake3.update(p);
  return wasmBlake3.digest('binary');
}

/**
 * BLAKE3-256 by @noble/hashes: the reference the fast path is tested against.
 * Never throws for Uint8Array parts.
 */
export function blake3Reference(...parts: Uint8Array[]): Uint8Array {
  const h = nobleBlake3.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Which BLAKE3 implementation `blake3` uses. */
export const blake3Backend: 'hash-wasm' | 'noble' = wasmBlake3 === null ? 'noble' : 'hash-wasm';

/**
 * xxhash64 with seed 0, as a bigint.
 * Never throws for a Uint8Array.
 */
export function xxhash64(bytes: Uint8Array): bigint {
  return xx.h64Raw(bytes);
}
