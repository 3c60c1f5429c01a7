/**
 * Store options: defaults and argument checks (ERR_INVALID_ARGUMENT, with
 * the option's name in the message).
 */
import { DaveError } from '../errors.js';
import type { AnyLevel } from './layout.js';
import type { StoreOptions } from './types.js';
import { DEFAULT_RETRY, type RetryOptions, type StoreHealth } from './health.js';

/** Default `capacity`: 1 GiB of accounted size. */
export const DEFAULT_CAPACITY = 1024 * 1024 * 1024;
/** Default `cacheCapacity`: 64 MiB of cached entries. */
export const DEFAULT_CACHE_CAPACITY = 64 * 1024 * 1024;

/** StoreOptions with every default applied. */
export interface ResolvedOptions {
  database: string | AnyLevel | undefined;
  nodeId: bigint;
  capacity: number;
  cacheCapacity: number;
  sync: boolean;
  now: () => number;
  retry: RetryOptions;
  onHealth: ((health: StoreHealth) => void) | undefined;
}

function bytesOption(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `options.${name} must be a non-negative integer of bytes`);
  }
  return value;
}

function retryOption(r: StoreOptions['retry']): RetryOptions {
  if (r === undefined) return DEFAULT_RETRY;
  if (r === null || typeof r !== 'object') throw new DaveError('ERR_INVALID_ARGUMENT', 'options.retry must be an object');
  const minMs = r.minMs ?? DEFAULT_RETRY.minMs;
  const maxMs = r.maxMs ?? Math.max(minMs, DEFAULT_RETRY.maxMs);
  if (!Number.isSafeInteger(minMs) || minMs < 1 || !Number.isSafeInteger(maxMs) || maxMs < minMs) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'options.retry.minMs and maxMs must be integers of ms, 1 <= minMs <= maxMs');
  }
  return { minMs, maxMs };
}

/**
 * Options with defaults applied.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
/** True for a bigint in [0, 2^64): a store key, or a node ID. */
export function isU64(x: unknown): x is bigint {
  return typeof x === 'bigint' && x >= 0n && x < 1n << 64n;
}

export function resolveOptions(options: StoreOptions | undefined): ResolvedOptions {
  const o = options ?? {};
  if (typeof o !== 'object') throw new DaveError('ERR_INVALID_ARGUMENT', 'options must be an object');
  const nodeId = o.nodeId ?? 0n;
  if (!isU64(nodeId)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'options.nodeId must be a u64 bigint');
  }
  if (o.sync !== undefined && typeof o.sync !== 'boolean') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'options.sync must be a boolean');
  }
  if (o.onHealth !== undefined && typeof o.onHealth !== 'function') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'options.onHealth must be a function');
  }
  if (o.now !== undefined && typeof o.now !== 'function') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'options.now must be a function returning ms');
  }
  return {
    database: o.database,
    nodeId,
    capacity: bytesOption(o.capacity, 'capacity', DEFAULT_CAPACITY),
    cacheCapacity: bytesOption(o.cacheCapacity, 'cacheCapacity', DEFAULT_CACHE_CAPACITY),
    sync: o.sync ?? true,
    now: o.now ?? Date.now,
    retry: retryOption(o.retry),
    onHealth: o.onHealth,
  };
}
