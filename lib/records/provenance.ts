/**
 * Records this process made itself. createDat remembers each Dat it
 * returns, with a private copy of its bytes; signedHere(dat) is true only
 * for that very object, with every field still byte for byte what
 * createDat produced. Such a record was signed here and its work was
 * computed here, so its signature needs no second check: that is the one
 * place a node may skip it (the batch writer, writing records its caller
 * just created); the cheap checks (records/precheckDat) still run. A record from anywhere else, a copy,
 * or a created record changed in any byte (or a field swapped for another
 * array) is verified in full as usual.
 *
 * Memory: the copy lives exactly as long as the Dat (a WeakMap entry).
 */
import { equalBytes, joinBytes } from '../wire/bytes.js';
import type { Dat } from '../wire/dat.js';

interface Snapshot {
  time: number;
  /** sig ‖ work ‖ salt ‖ pubKey ‖ key ‖ value */
  bytes: Uint8Array;
  /** Each field's length, in that order. */
  lens: number[];
}

const made = new WeakMap<Dat, Snapshot>();

/** createDat's side: remembers `dat` as made and signed in this process. Never throws. */
export function rememberSigned(dat: Dat): void {
  const parts = [dat.sig, dat.work, dat.salt, dat.pubKey, dat.key, dat.value];
  made.set(dat, { time: dat.time, bytes: joinBytes(parts), lens: parts.map((p) => p.length) });
}

/**
 * True when `dat` is an object createDat returned in this process and none
 * of its fields changed since. Never throws.
 */
export function signedHere(dat: Dat): boolean {
  const s = made.get(dat);
  if (s === undefined || dat.time !== s.time) return false;
  const fields: unknown[] = [dat.sig, dat.work, dat.salt, dat.pubKey, dat.key, dat.value];
  let o = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const len = s.lens[i]!;
    if (!(f instanceof Uint8Array) || f.length !== len || !equalBytes(f, s.bytes.subarray(o, o + len))) return false;
    o += len;
  }
  return true;
}
