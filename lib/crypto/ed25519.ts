/**
 * Ed25519 signing and verification.
 *
 * Signing runs on node:crypto (OpenSSL), ~8x faster here than
 * @noble/ed25519; signatures are deterministic and byte-identical to
 * noble's and Go's.
 *
 * Verification runs on libsodium (the optional dependency sodium-native),
 * ~2.2x faster here than node:crypto and on par with Go; where it cannot
 * load, on node:crypto with the parsed public key cached per owner. The
 * backends agree on every signature an honest key makes (the tests check
 * them against each other and noble). One known difference: libsodium
 * rejects small-order ("weak") public keys and R values, for which anyone
 * can forge a signature; OpenSSL and godave accept them. Set
 * DAVE_ED25519=openssl to force the node:crypto path.
 */
import { createRequire } from 'node:module';
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { PUBKEY_LEN, SEED_LEN, SIG_LEN } from '../constants.js';
import { checkBytes } from '../wire/bytes.js';

/**
 * Runs `fn` with @noble/ed25519's sync hash set, then restores whatever the
 * application had there: the package never changes another library's
 * global settings for longer than one reference call.
 */
function withNobleSha512<T>(fn: () => T): T {
  const before = ed.hashes.sha512;
  ed.hashes.sha512 = sha512;
  try {
    return fn();
  } finally {
    ed.hashes.sha512 = before;
  }
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A private key ready to sign: seed, public key, and the parsed KeyObject. */
export interface SigningKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly keyObject: KeyObject;
}

/**
 * Parses a 32-byte ed25519 seed.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function signingKey(seed: Uint8Array, name = 'privateKey'): SigningKey {
  checkBytes(seed, SEED_LEN, name);
  const keyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  return { seed: Uint8Array.from(seed), publicKey: new Uint8Array(spki.subarray(spki.length - PUBKEY_LEN)), keyObject };
}

const SIGNER_CACHE_MAX = 16;
const signerCache = new Map<string, SigningKey>();

/**
 * signingKey, remembering the last 16 seeds parsed: parsing costs ~10x a
 * signature, and createDat callers usually pass the same seed each time.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function cachedSigningKey(seed: Uint8Array, name = 'privateKey'): SigningKey {
  checkBytes(seed, SEED_LEN, name);
  const id = Buffer.from(seed.buffer, seed.byteOffset, seed.byteLength).toString('latin1');
  let k = signerCache.get(id);
  if (k === undefined) {
    k = signingKey(seed, name);
    if (signerCache.size >= SIGNER_CACHE_MAX) signerCache.delete(signerCache.keys().next().value!);
    signerCache.set(id, k);
  }
  return k;
}

/**
 * The public key of a 32-byte seed.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return signingKey(seed, 'seed').publicKey;
}

/** ed25519 signature (64 bytes) of `message`. Never throws for a SigningKey from signingKey(). */
export function sign(key: SigningKey, message: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, message, key.keyObject));
}

const KEY_CACHE_MAX = 8192;
const keyCache = new Map<string, KeyObject | null>();

function publicKeyObject(pubKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(pubKey.buffer, pubKey.byteOffset, pubKey.byteLength).toString('latin1');
  let k = keyCache.get(id);
  if (k === undefined) {
    try {
      k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pubKey]), format: 'der', type: 'spki' });
    } catch {
      k = null; // not a point on the curve
    }
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, k);
  }
  return k;
}

type NativeVerify = (sig: Uint8Array, message: Uint8Array, pubKey: Uint8Array) => boolean;

function loadSodium(): NativeVerify | null {
  if (process.env['DAVE_ED25519'] === 'openssl') return null;
  try {
    const sodium = createRequire(import.meta.url)('sodium-native') as {
      crypto_sign_verify_detached: NativeVerify;
    };
    return sodium.crypto_sign_verify_detached;
  } catch {
    return null; // optional dependency absent, or no prebuild for this platform
  }
}

const sodiumVerify = loadSodium();

/** Which library `verify` uses. */
export const verifyBackend: 'libsodium' | 'openssl' = sodiumVerify ? 'libsodium' : 'openssl';

/** True when `sig` is a valid ed25519 signature of `message` by `pubKey`. Never throws. */
export function verify(pubKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  if (pubKey.length !== PUBKEY_LEN || sig.length !== SIG_LEN) return false;
  if (sodiumVerify === null) return verifyOpenSSL(pubKey, message, sig);
  try {
    return sodiumVerify(sig, message, pubKey);
  } catch {
    return false;
  }
}

/**
 * node:crypto (OpenSSL) verification with a cached KeyObject: the fallback
 * when libsodium is absent. Never throws.
 */
export function verifyOpenSSL(pubKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  if (pubKey.length !== PUBKEY_LEN || sig.length !== SIG_LEN) return false;
  const key = publicKeyObject(pubKey);
  if (key === null) return false;
  try {
    return nodeVerify(null, message, key, sig);
  } catch {
    return false;
  }
}

/**
 * @noble/ed25519 signing: the reference the fast path is tested against.
 * @throws Error (noble's) when the seed is not 32 bytes
 */
export function signReference(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return withNobleSha512(() => ed.sign(message, seed));
}

/**
 * @noble/ed25519 strict (RFC 8032) verification: the reference path.
 * Never throws.
 */
export function verifyReference(pubKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    return withNobleSha512(() => ed.verify(sig, message, pubKey, { zip215: false }));
  } catch {
    return false;
  }
}
