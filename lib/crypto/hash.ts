/**
 * Hashes: BLAKE3-256 (signatures, proof of work) and xxhash64 (store keys).
 *
 * Both run on WebAssembly: hash-wasm's BLAKE3 (~6x faster here than
 * @noble/hashes for the 48-byte proof-of-work input) and xxhash-wasm. The
 * two modules load when first needed, not at import: `ready()` loads them
 * (once; Dave.open, Store.open, the database opener, createDat and the
 * verify worker await it), and the first hash asked for before that starts
 * the load. Until they are in (or if they cannot load), the same functions
 * run in plain JavaScript: noble's BLAKE3 and xxhash64.ts, the references
 * the tests check the WASM against. Same digests, slower; every function
 * here stays synchronous.
 */
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import type { IHasher } from 'hash-wasm';
import type { XXHashAPI } from 'xxhash-wasm';
import { xxhash64Reference } from './xxhash64.js';

let wasmBlake3: IHasher | null = null;
let wasmXx: XXHashAPI | null = null;
let loading: Promise<void> | null = null;

/**
 * Loads the WebAssembly hashes; resolves once they are in use (or, when
 * they cannot load, once the plain JavaScript ones are known to stay).
 * Idempotent: every call returns the same promise.
 * @throws nothing (never rejects)
 */
export function ready(): Promise<void> {
  loading ??= load();
  return loading;
}

async function load(): Promise<void> {
  const [b, x] = await Promise.all([
    import('hash-wasm').then((m) => m.createBLAKE3()).catch(() => null),
    import('xxhash-wasm').then((m) => m.default()).catch(() => null),
  ]);
  wasmBlake3 = b;
  wasmXx = x;
}

/**
 * BLAKE3-256 of the concatenation of `parts` (WASM once loaded, else noble).
 * Never throws for Uint8Array parts.
 */
export function blake3(...parts: Uint8Array[]): Uint8Array {
  if (wasmBlake3 === null) {
    if (loading === null) void ready();
    return blake3Reference(...parts);
  }
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

/**
 * Which implementation each function uses now: the WASM one once ready()
 * has loaded it, the JavaScript one before (or when it cannot load).
 * Never throws.
 */
export function hashBackend(): { blake3: 'hash-wasm' | 'noble'; xxhash64: 'xxhash-wasm' | 'js' } {
  return { blake3: wasmBlake3 === null ? 'noble' : 'hash-wasm', xxhash64: wasmXx === null ? 'js' : 'xxhash-wasm' };
}

/**
 * xxhash64 with seed 0, as a bigint (WASM once loaded, else xxhash64.ts).
 * Never throws for a Uint8Array.
 */
export function xxhash64(bytes: Uint8Array): bigint {
  if (wasmXx === null) {
    if (loading === null) void ready();
    return xxhash64Reference(bytes);
  }
  return wasmXx.h64Raw(bytes);
}
