/**
 * Test helpers for the store: unsigned entries built from seeds (the store
 * does not verify; the node does), and a brute-force model of docs/protocol.md §9.
 */
import { TTL_MS } from '../../lib/constants.js';
import { storeKey } from '../../lib/records/record.js';
import type { Entry } from '../../lib/wire/entry.js';

/** Deterministic bytes from a seed (xorshift), for reproducible entries. */
export function bytesOf(seed: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = (seed * 2654435761 + 12345) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export interface EntrySpec {
  owner?: number;
  key?: string;
  value?: string | Uint8Array;
  time?: number;
  replicas?: bigint[];
  pubKey?: Uint8Array;
}

export const T0 = 1_750_000_000_000;

/** An entry owned by public key bytesOf(owner, 32); not signed (the store does not check). */
export function makeEntry(spec: EntrySpec = {}): Entry {
  const value = spec.value ?? 'value';
  return {
    dat: {
      time: spec.time ?? T0,
      salt: new Uint8Array(16),
      work: new Uint8Array(32),
      sig: new Uint8Array(64),
      pubKey: spec.pubKey ?? bytesOf(spec.owner ?? 1, 32),
      key: new TextEncoder().encode(spec.key ?? 'key'),
      value: typeof value === 'string' ? new TextEncoder().encode(value) : value,
    },
    replicas: spec.replicas ?? [0n, 0n, 0n, 0n, 0n],
  };
}

export function keyOf(e: Entry): bigint {
  return storeKey(e.dat.pubKey, e.dat.key);
}

export function ownerId(e: Entry): bigint {
  return new DataView(e.dat.pubKey.buffer, e.dat.pubKey.byteOffset, 8).getBigUint64(0, true);
}

/** Priority as godave computes it, with an explicit clock. */
export function goPriority(distance: bigint, time: number, now: number): number {
  const left = (time + TTL_MS - now) / 1000;
  if (left <= 0) return 0;
  return (1 - Number(distance) / 18446744073709551615) * left;
}

/** A stopped clock the test moves by hand. */
export function manualClock(start = T0): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v), advance: (ms) => (t += ms) };
}
