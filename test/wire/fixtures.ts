/**
 * Shared fixtures for the wire tests: the messages vector's Dat and Entry,
 * and (re-exported) the helper asserting a DaveError code.
 */
import { fromHex } from '../../lib/wire/bytes.js';
import type { Dat } from '../../lib/wire/dat.js';
import type { Entry } from '../../lib/wire/entry.js';
import { messages } from '../vectors.js';

/** The Dat of godave-v0.0.51-messages.json (a valid record). */
export function vectorDat(): Dat {
  const m = messages;
  return {
    time: m.dat.time_ms,
    salt: fromHex(m.dat.salt_hex),
    work: fromHex(m.dat.work_hex),
    sig: fromHex(m.dat.sig_hex),
    pubKey: fromHex(m.public_key_hex),
    key: new TextEncoder().encode(m.dat.key),
    value: fromHex(m.dat.val_hex),
  };
}

export function vectorEntry(): Entry {
  return { dat: vectorDat(), replicas: [1n, 2n, 3n, 4n, 5n] };
}

/** A Dat with a key and value of the given sizes (not a valid record). */
export function sizedDat(keyLen: number, valueLen: number): Dat {
  return { ...vectorDat(), key: new Uint8Array(keyLen).fill(0x6b), value: new Uint8Array(valueLen).fill(0x76) };
}

export { throwsCode } from '../support/assert.js';
