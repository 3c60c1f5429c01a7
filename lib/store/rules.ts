/**
 * The storage rules of docs/protocol.md §9 as pure functions: priority, the decision
 * for a write over an existing key, and admission when the store is full.
 * Nothing here reads a clock; every function takes `now` (ms) as input.
 */
import { TTL_MS } from '../constants.js';
import type { RefusalCode } from './types.js';

/** 2^64 as a double: Go's float64(^uint64(0)) rounds to exactly this. */
const TWO_POW_64 = 18446744073709551616;
const TWO_POW_32 = 4294967296;

/**
 * The distance factor of the priority, `1 - distance / 2^64`, from the two
 * 32-bit halves of the u64 distance. `hi * 2^32` is exact, so the sum is
 * rounded once, as Go's float64(uint64) conversion rounds it.
 */
export function distanceWeight(distHi: number, distLo: number): number {
  return 1 - (distHi * TWO_POW_32 + distLo) / TWO_POW_64;
}

/**
 * Priority of an entry (docs/protocol.md §9): `(1 - distance/2^64) * seconds until
 * (time + TTL)`, 0 once expired. Higher is more valuable.
 */
export function priority(weight: number, time: number, now: number): number {
  const left = (time + TTL_MS - now) / 1000;
  return left <= 0 ? 0 : weight * left;
}

/** What the store knows of the entry already stored under a key. */
export interface StoredFacts {
  /** The stored and the incoming owner keys are the same. */
  samePubKey: boolean;
  /** Time of the stored entry, ms. */
  time: number;
  /** Stored value and replicas equal the incoming ones. */
  sameContent: boolean;
}

/**
 * The decision for a write over an existing store key (docs/protocol.md §9, godave's
 * order of checks): the refusal code, or undefined to replace it.
 */
export function replaceDecision(stored: StoredFacts, incomingTime: number): RefusalCode | undefined {
  if (!stored.samePubKey) return 'ERR_PUBKEY_MISMATCH';
  if (stored.time > incomingTime) return 'ERR_OLDER_THAN_STORED';
  if (stored.time === incomingTime && stored.sameContent) return 'ERR_DUPLICATE';
  return undefined;
}

/** Inputs of the admission decision for a new key. */
export interface AdmissionFacts {
  used: number;
  size: number;
  capacity: number;
  /** Entries in the new entry's shard. */
  shardCount: number;
  /** Priority, at `now`, of the shard's lowest-priority entry (ignored when the shard is empty). */
  lowestPriority: number;
  /** Priority of the new entry at `now`. */
  newPriority: number;
}

/**
 * One step of admitting an entry (docs/protocol.md §9): 'fit' when it fits,
 * 'evict' to drop the shard's lowest entry first, else the refusal code.
 * The index repeats the step after each eviction until the entry fits or
 * is refused, so capacity is a hard bound (godave evicts one entry at most,
 * and a large entry replacing a small one grows past it).
 */
export function admission(f: AdmissionFacts): 'fit' | 'evict' | RefusalCode {
  if (f.used + f.size <= f.capacity) return 'fit';
  if (f.shardCount === 0) return 'ERR_STORAGE_FULL';
  return f.lowestPriority < f.newPriority ? 'evict' : 'ERR_INSUFFICIENT_PRIORITY';
}
