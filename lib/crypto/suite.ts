/**
 * The node's crypto as one replaceable set: signing, signature checks and
 * the proof-of-work hash. Every node uses `realCrypto` (ed25519 and
 * BLAKE3). The simulator (lib/sim/cheap-crypto.ts) can hand its nodes a
 * stand-in through `CRYPTO_SEAM`, a DaveOptions property under a symbol
 * that no entry point of the package exports: only code inside the
 * package reaches it, and a node opened without it checks real
 * signatures and real work, which a stand-in never passes
 * (docs/simulation.md, "Cheap crypto").
 */
import { type SigningKey, sign, verify } from './ed25519.js';
import { workHash } from './work.js';
import { DaveError } from '../errors.js';

export interface CryptoSuite {
  /** 'real', or the stand-in's name. */
  readonly name: string;
  /** A 64-byte signature of `message` by `key`. */
  sign(key: SigningKey, message: Uint8Array): Uint8Array;
  /** True when `sig` signs `message` for `pubKey`. Never throws. */
  verify(pubKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean;
  /** The 32-byte work hash of a record's salt and signature (docs/protocol.md §4). */
  workHash(salt: Uint8Array, sig: Uint8Array): Uint8Array;
}

/** ed25519 (crypto/ed25519.ts) and BLAKE3 work (crypto/work.ts): what every real node uses. */
export const realCrypto: CryptoSuite = Object.freeze({ name: 'real', sign, verify, workHash });

/**
 * The seam: `{ [CRYPTO_SEAM]: suite }` in Dave.open's options replaces the
 * node's crypto. Not exported by any entry point (package.json "exports"
 * keeps deep imports out); lib/sim is its one user.
 */
export const CRYPTO_SEAM: unique symbol = Symbol('dave-kv simulator crypto');

/** The suite under CRYPTO_SEAM in `options`, else realCrypto. */
export function cryptoOf(options: object): CryptoSuite {
  const s = (options as { [CRYPTO_SEAM]?: unknown })[CRYPTO_SEAM];
  if (s === undefined) return realCrypto;
  const c = s as Partial<CryptoSuite>;
  if (typeof c !== 'object' || c === null || typeof c.sign !== 'function' || typeof c.verify !== 'function' || typeof c.workHash !== 'function') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'the crypto seam must hold a CryptoSuite (sign, verify, workHash)');
  }
  return c as CryptoSuite;
}
