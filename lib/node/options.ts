/**
 * Dave.open options and their defaults. Only the things with a second
 * implementation or a test double are injectable: sockets, storage
 * (a database or a StoreLike), clock, random source, logger.
 */
import {
  ACTIVATE_AFTER_MS,
  DEACTIVATE_AFTER_MS,
  DROP_AFTER_MS,
  GETMYADDRPORT_EVERY_MS,
  MAX_CLOCK_SKEW_MS,
  PING_MS,
  REPLICATE_EVERY_MS,
} from '../constants.js';
import { randomBytes } from 'node:crypto';
import { SEED_LEN } from '../constants.js';
import { DaveError } from '../errors.js';
import { type AddrPort, parseAddress } from '../wire/address.js';
import { checkBytes } from '../wire/bytes.js';
import { type SigningKey, signingKey } from '../crypto/ed25519.js';
import type { AnyLevel } from '../store/layout.js';
import type { StoreLike } from '../store/types.js';
import type { PeerLimits } from '../peers/table.js';
import type { SocketFactory } from '../transport/types.js';
import { nodeSockets } from '../transport/index.js';
import { type TrustOptions, resolveTrust } from './trust.js';

/** Protocol timings (spec §1) plus the node's own deadlines, all in ms. */
export interface Timings {
  /** PING period. Default 1 000 (spec PING). */
  pingMs: number;
  /** Default 5 000 (spec ACTIVATE_AFTER). */
  activateAfterMs: number;
  /** Also the prune period. Default 3 000 (spec DEACTIVATE_AFTER). */
  deactivateAfterMs: number;
  /** Default 12 000 (spec DROP_AFTER). */
  dropAfterMs: number;
  /** Default 600 000 (spec GETMYADDRPORT_EVERY). */
  getMyAddrPortEveryMs: number;
  /** Default 600 000 (spec REPLICATE_EVERY). */
  replicateEveryMs: number;
  /** TCP reader's wait for each frame. Default 1 000 (spec §10). */
  frameTimeoutMs: number;
  /** TCP connect deadline. Default 2 000. */
  connectTimeoutMs: number;
  /** Default wait of get() when the caller gives none. Default 5 000. */
  getTimeoutMs: number;
}

export const DEFAULT_TIMINGS: Readonly<Timings> = Object.freeze({
  pingMs: PING_MS,
  activateAfterMs: ACTIVATE_AFTER_MS,
  deactivateAfterMs: DEACTIVATE_AFTER_MS,
  dropAfterMs: DROP_AFTER_MS,
  getMyAddrPortEveryMs: GETMYADDRPORT_EVERY_MS,
  replicateEveryMs: REPLICATE_EVERY_MS,
  frameTimeoutMs: 1_000,
  connectTimeoutMs: 2_000,
  getTimeoutMs: 5_000,
});

/** A clock and one-shot timers; a simulation can drive both. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Where the node draws its random bytes (PING challenges, PONG salts, the
 * private key when none is given, the peer sample of a PONG, the edge
 * asked for our address). Default node:crypto's randomBytes; a simulation
 * passes a seeded source so that runs repeat exactly.
 */
export type RandomSource = (length: number) => Uint8Array;

export const cryptoRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

/** A float in [0, 1) from four bytes of `random`. */
export function randomFloat(random: RandomSource): number {
  const b = random(4);
  return (((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!) / 2 ** 32;
}

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const noop = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

export interface DaveOptions {
  /** UDP address:port; TCP listens on port + 1. Port 0 picks a free pair. Default "[::]:0" (dual stack). */
  listen?: string;
  /** 32-byte ed25519 seed. Default: a fresh random key. */
  privateKey?: Uint8Array;
  /** Bootstrap peers, "1.2.3.4:1618" or "[::1]:1618". Default none. */
  edges?: string[];
  /** A directory (classic-level) or an abstract-level instance. Default: in memory (memory-level). */
  database?: string | AnyLevel;
  /** Bytes of records stored at most. Default 1 GiB. */
  capacity?: number;
  /** Bytes of values cached in memory. Default 64 MiB. */
  cacheCapacity?: number;
  /** fsync every store batch. Default true. */
  sync?: boolean;
  /** Default: silent. */
  logger?: Logger;
  /** Tests and simulations: the clock. Default the system clock. */
  clock?: Clock;
  /** Tests and simulations: every random byte the node draws. Default node:crypto randomBytes. */
  random?: RandomSource;
  /** Tests and simulations: the sockets. Default node:dgram and node:net. */
  sockets?: SocketFactory;
  /** Tests and simulations: timing overrides. Default spec §1. */
  timings?: Partial<Timings>;
  /** Tests: a ready store instead of opening one (the node will not close it). */
  store?: StoreLike;
  /** Peer table limits. Default 2048 peers, 8 per IPv4 address or IPv6 /64. */
  peerLimits?: Partial<PeerLimits>;
  /**
   * Most inbound TCP connections from one IPv4 address or IPv6 /64
   * (loopback included). Default 8; the node takes 128 in all.
   */
  maxInboundPerHost?: number;
  /**
   * Most GETs answered per peer per PING period; more are dropped
   * (stats().getsOverBudget). Bounds what a GET forged with a proven
   * peer's source address can reflect at it: ~1.4 kB per answer, so
   * ~1.4 MB per period at the default. Default 1024 (a read sends one GET
   * per peer asked, so ~1000 reads/s from one peer at the default 1 s PING).
   */
  maxGetAnswersPerPing?: number;
  /** Verification worker threads. Default min(4, cores); 0 verifies inline. */
  verifyWorkers?: number;
  /** Allowed lead of a record's time over our clock. Default 5 000 (Go: 0). */
  maxClockSkewMs?: number;
  /**
   * Storage challenges and trust-steered peer choice (docs/trust.md):
   * false turns them off (godave's choices: XOR-closest, uniform PONG
   * lists); an object overrides defaults (TrustOptions). Default on.
   */
  trust?: false | Partial<TrustOptions>;
}

export const DEFAULTS = Object.freeze({
  listen: '[::]:0',
  capacity: 1 << 30,
  cacheCapacity: 64 << 20,
  maxClockSkewMs: MAX_CLOCK_SKEW_MS,
  maxInboundPerHost: 8,
  maxGetAnswersPerPing: 1024,
});

/** Dave.open options checked, with every default filled in. */
export interface ResolvedOptions {
  listen: AddrPort;
  edges: AddrPort[];
  signer: SigningKey;
  timings: Timings;
  capacity: number;
  cacheCapacity: number;
  maxInboundPerHost: number;
  maxGetAnswersPerPing: number;
  maxClockSkewMs: number;
  clock: Clock;
  logger: Logger;
  sockets: SocketFactory;
  /** null when trust is off. */
  trust: TrustOptions | null;
  random: RandomSource;
}

function invalid(msg: string): never {
  throw new DaveError('ERR_INVALID_ARGUMENT', msg);
}

/**
 * Checks Dave.open options and fills in the defaults; a missing private
 * key is drawn at random. Options passed through as given (database,
 * sync, store, peerLimits, verifyWorkers) are checked where they are used.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_ADDRESS
 */
export function resolveOptions(options: DaveOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') invalid('options must be an object');
  const listen = parseAddress(options.listen ?? DEFAULTS.listen);
  const edges = (options.edges ?? []).map((e) => parseAddress(e));
  const random = options.random ?? cryptoRandom;
  if (typeof random !== 'function') invalid('random must be a function');
  const seed = options.privateKey ?? random(SEED_LEN);
  const signer = signingKey(checkBytes(seed, SEED_LEN, 'privateKey'));
  const timings: Timings = { ...DEFAULT_TIMINGS, ...(options.timings ?? {}) };
  for (const [k, v] of Object.entries(timings)) {
    if (typeof v !== 'number' || !(v > 0)) invalid(`timings.${k} must be a positive number`);
  }
  const capacity = options.capacity ?? DEFAULTS.capacity;
  if (!Number.isSafeInteger(capacity) || capacity < 0) invalid('capacity must be a non-negative integer');
  const maxInboundPerHost = options.maxInboundPerHost ?? DEFAULTS.maxInboundPerHost;
  if (!Number.isSafeInteger(maxInboundPerHost) || maxInboundPerHost < 1) invalid('maxInboundPerHost must be a positive integer');
  const maxGetAnswersPerPing = options.maxGetAnswersPerPing ?? DEFAULTS.maxGetAnswersPerPing;
  if (!Number.isSafeInteger(maxGetAnswersPerPing) || maxGetAnswersPerPing < 1) invalid('maxGetAnswersPerPing must be a positive integer');
  return {
    listen,
    edges,
    signer,
    timings,
    capacity,
    cacheCapacity: options.cacheCapacity ?? DEFAULTS.cacheCapacity,
    maxInboundPerHost,
    maxGetAnswersPerPing,
    maxClockSkewMs: options.maxClockSkewMs ?? DEFAULTS.maxClockSkewMs,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    sockets: options.sockets ?? nodeSockets,
    // a node given a random source draws its trust choices from it too (simulations repeat)
    trust: resolveTrust(options.trust, options.random === undefined ? undefined : () => randomFloat(random)),
    random,
  };
}
