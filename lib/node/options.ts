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
import { MIN_CAPACITY, PUBKEY_LEN, SEED_LEN } from '../constants.js';
import { invalidArgument } from '../errors.js';
import { type AddressKey, type AddrPort, addressKey, parseAddress } from '../wire/address.js';
import { edgeAddresses, ticketKey } from '../peers/family.js';
import { checkBytes } from '../wire/bytes.js';
import { type SigningKey, signingKey } from '../crypto/ed25519.js';
import { type CryptoSuite, cryptoOf } from '../crypto/suite.js';
import type { AnyLevel } from '../store/layout.js';
import type { StoreLike } from '../store/types.js';
import { DEFAULT_PEER_LIMITS, type PeerLimits } from '../peers/table.js';
import { DEFAULT_CACHE_CAPACITY, DEFAULT_CAPACITY } from '../store/options.js';
import type { SocketFactory } from '../transport/types.js';
import { nodeSockets } from '../transport/index.js';
import { type TrustOptions, resolveTrust } from './trust/keeper.js';

/** Protocol timings (docs/protocol.md §1) plus the node's own deadlines, all in ms. */
export interface Timings {
  /** PING period. Default 1 000 (docs/protocol.md §1 PING). */
  pingMs: number;
  /** Default 5 000 (docs/protocol.md §1 ACTIVATE_AFTER). */
  activateAfterMs: number;
  /** Also the prune period. Default 3 000 (docs/protocol.md §1 DEACTIVATE_AFTER). */
  deactivateAfterMs: number;
  /** Default 12 000 (docs/protocol.md §1 DROP_AFTER). */
  dropAfterMs: number;
  /** Default 600 000 (docs/protocol.md §1 GETMYADDRPORT_EVERY). */
  getMyAddrPortEveryMs: number;
  /** Default 600 000 (docs/protocol.md §1 REPLICATE_EVERY). */
  replicateEveryMs: number;
  /** TCP reader's wait for each frame. Default 1 000 (docs/protocol.md §10). */
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

/**
 * The logger of a node given none: warnings and errors on stderr (an edge
 * that does not answer, a failing store), nothing else. `silentLogger`
 * (exported by dave-kv) silences it.
 */
export const defaultLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => console.error(...args),
};

/** A logger method that drops everything (so a caller can skip building a debug line). */
export function isSilent(method: (...args: unknown[]) => void): boolean {
  return method === noop;
}

/** An edge whose key is known (a ticket's): its PONG must prove `publicKey`. */
export interface EdgeOption {
  address: string;
  /** 32-byte ed25519 public key. */
  publicKey?: Uint8Array;
}

export interface DaveOptions {
  /** UDP address:port; TCP listens on port + 1. Port 0 picks a free pair. Default "[::]:0" (dual stack). */
  listen?: string;
  /** 32-byte ed25519 seed. Default: a fresh random key. */
  privateKey?: Uint8Array;
  /**
   * Bootstrap peers, "1.2.3.4:1618", "[::1]:1618" or a join ticket, of a
   * family `listen` reaches, or `{ address, publicKey }`. An edge from a
   * ticket, or given with a publicKey, is accepted only when its PONG
   * proves that key (docs/protocol.md §7). Default none.
   */
  edges?: (string | EdgeOption)[];
  /** A directory (classic-level) or an abstract-level instance. Default: in memory (memory-level). */
  database?: string | AnyLevel;
  /** Bytes of records stored at most. Default 1 GiB; at least MIN_CAPACITY (1448, one record of the largest size). */
  capacity?: number;
  /** Bytes of values cached in memory. Default 64 MiB. */
  cacheCapacity?: number;
  /** fsync every store batch. Default true. */
  sync?: boolean;
  /** Default: warnings and errors on stderr (defaultLogger); silentLogger for none. */
  logger?: Logger;
  /** Tests and simulations: the clock. Default the system clock. */
  clock?: Clock;
  /** Tests and simulations: every random byte the node draws. Default node:crypto randomBytes. */
  random?: RandomSource;
  /** Tests and simulations: the sockets. Default node:dgram and node:net. */
  sockets?: SocketFactory;
  /** Tests and simulations: timing overrides. Default docs/protocol.md §1. */
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
  /** Verification worker threads, 0..64. Default min(4, cores); 0 verifies inline. */
  verifyWorkers?: number;
  /** Allowed lead of a record's time over our clock, integer ms >= 0. Default 5 000 (Go: 0). */
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
  capacity: DEFAULT_CAPACITY,
  cacheCapacity: DEFAULT_CACHE_CAPACITY,
  maxClockSkewMs: MAX_CLOCK_SKEW_MS,
  maxInboundPerHost: 8,
  maxGetAnswersPerPing: 1024,
});

/** Dave.open options checked, with every default filled in. */
export interface ResolvedOptions {
  listen: AddrPort;
  edges: AddrPort[];
  /** addressKey of an edge → the key its PONG must prove (edges given with a publicKey). */
  edgeKeys: Map<AddressKey, Uint8Array>;
  signer: SigningKey;
  timings: Timings;
  database: string | AnyLevel | undefined;
  capacity: number;
  cacheCapacity: number;
  sync: boolean | undefined;
  store: StoreLike | undefined;
  peerLimits: PeerLimits;
  maxInboundPerHost: number;
  maxGetAnswersPerPing: number;
  /** undefined: the pool's default, min(4, cores). */
  verifyWorkers: number | undefined;
  maxClockSkewMs: number;
  clock: Clock;
  logger: Logger;
  sockets: SocketFactory;
  /** null when trust is off. */
  trust: TrustOptions | null;
  random: RandomSource;
  /** realCrypto, or the simulator's stand-in given through CRYPTO_SEAM (crypto/suite.ts). */
  crypto: CryptoSuite;
}

const OPTION_NAMES = new Set<string>([
  'listen', 'privateKey', 'edges', 'database', 'capacity', 'cacheCapacity', 'sync', 'logger', 'clock', 'sockets',
  'timings', 'store', 'peerLimits', 'maxInboundPerHost', 'maxGetAnswersPerPing', 'verifyWorkers', 'maxClockSkewMs',
  'random', 'trust',
]);

/** Most verification worker threads. */
const MAX_VERIFY_WORKERS = 64;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object';
}

/** A safe integer in [min, max], or `fallback` when undefined. */
function int(v: unknown, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min}..${max}`;
    invalidArgument(`${name} must be an integer ${range}, got ${describe(v)}`);
  }
  return v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
}

/** `v` is undefined or an object whose listed members are functions. */
function withMethods<T>(v: unknown, name: string, methods: string[]): T | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || methods.some((m) => typeof v[m] !== 'function')) {
    invalidArgument(`${name} must be an object with ${methods.join(', ')}`);
  }
  return v as T;
}

function checkTimings(v: unknown): Timings {
  if (v !== undefined && !isObject(v)) invalidArgument('timings must be an object');
  const given = (v ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(given)) {
    if (!Object.hasOwn(DEFAULT_TIMINGS, k)) invalidArgument(`timings.${k} is not a timing (${Object.keys(DEFAULT_TIMINGS).join(', ')})`);
  }
  const timings = { ...DEFAULT_TIMINGS, ...given } as Timings;
  for (const [k, t] of Object.entries(timings)) {
    if (typeof t !== 'number' || !Number.isFinite(t) || !(t > 0)) invalidArgument(`timings.${k} must be a positive number of ms, got ${describe(t)}`);
  }
  return timings;
}

function checkPeerLimits(v: unknown): PeerLimits {
  if (v === undefined) return { ...DEFAULT_PEER_LIMITS };
  if (!isObject(v)) invalidArgument('peerLimits must be an object');
  for (const k of Object.keys(v)) {
    if (!Object.hasOwn(DEFAULT_PEER_LIMITS, k)) invalidArgument(`peerLimits.${k} is not a limit (maxPeers, maxPerHost, maxPerPrefix, maxNewcomers)`);
  }
  return {
    maxPeers: int(v.maxPeers, 'peerLimits.maxPeers', DEFAULT_PEER_LIMITS.maxPeers, 1),
    maxPerHost: int(v.maxPerHost, 'peerLimits.maxPerHost', DEFAULT_PEER_LIMITS.maxPerHost, 1),
    maxPerPrefix: int(v.maxPerPrefix, 'peerLimits.maxPerPrefix', DEFAULT_PEER_LIMITS.maxPerPrefix, 1),
    maxNewcomers: int(v.maxNewcomers, 'peerLimits.maxNewcomers', DEFAULT_PEER_LIMITS.maxNewcomers, 1),
  };
}

function checkDatabase(v: unknown): string | AnyLevel | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') {
    if (v.length === 0) invalidArgument('database must not be an empty path');
    return v;
  }
  if (!isObject(v) || typeof v.sublevel !== 'function') invalidArgument('database must be a directory path or an abstract-level database');
  return v as unknown as AnyLevel;
}

/**
 * Checks every Dave.open option and fills in the defaults, before the node
 * touches the disk or the network; a missing private key is drawn at
 * random. Every option is checked here, nowhere later. The message of an
 * error names the option.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_ADDRESS
 */
export function resolveOptions(options: DaveOptions): ResolvedOptions {
  if (!isObject(options)) invalidArgument('options must be an object');
  for (const k of Object.keys(options)) {
    if (!OPTION_NAMES.has(k)) invalidArgument(`${k} is not an option of Dave.open`);
  }
  const o = options as DaveOptions;
  if (o.listen !== undefined && typeof o.listen !== 'string') invalidArgument('listen must be a string "address:port"');
  const listen = parseAddress(o.listen ?? DEFAULTS.listen);
  if (listen.port === 0xffff) {
    invalidArgument('listen: port 65535 leaves no port for TCP, which listens on the UDP port + 1: give at most 65534');
  }
  const isEdge = (e: unknown) =>
    typeof e === 'string' ||
    (isObject(e) && typeof e.address === 'string' && (e.publicKey === undefined || (e.publicKey instanceof Uint8Array && e.publicKey.length === PUBKEY_LEN)));
  if (o.edges !== undefined && (!Array.isArray(o.edges) || !o.edges.every(isEdge))) {
    invalidArgument('edges must be an array of "address:port" strings, join tickets or { address, publicKey (32 bytes) } objects');
  }
  // an address or a join ticket; of a family the listen address cannot reach: refused (peers/family.ts)
  const edges: AddrPort[] = [];
  const edgeKeys = new Map<AddressKey, Uint8Array>();
  for (const e of o.edges ?? []) {
    const text = typeof e === 'string' ? e : e.address;
    const addrs = edgeAddresses(text, listen, 'edges:');
    const key = typeof e !== 'string' ? (e.publicKey ?? null) : ticketKey(text);
    for (const addr of addrs) {
      edges.push(addr);
      if (key !== null) edgeKeys.set(addressKey(addr), Uint8Array.from(key));
    }
  }
  const random = o.random ?? cryptoRandom;
  if (typeof random !== 'function') invalidArgument('random must be a function');
  const seed = o.privateKey ?? random(SEED_LEN);
  const signer = signingKey(checkBytes(seed, SEED_LEN, 'privateKey'));
  const timings = checkTimings(o.timings);
  const database = checkDatabase(o.database);
  const capacity = int(o.capacity, 'capacity', DEFAULTS.capacity, MIN_CAPACITY);
  const cacheCapacity = int(o.cacheCapacity, 'cacheCapacity', DEFAULTS.cacheCapacity, 0);
  if (o.sync !== undefined && typeof o.sync !== 'boolean') invalidArgument('sync must be a boolean');
  const store = withMethods<StoreLike>(o.store, 'store', ['put', 'get', 'getByStoreKey', 'peek', 'entries', 'flush', 'close']);
  if (store !== undefined && database !== undefined) invalidArgument('give database or store, not both');
  return {
    listen,
    edges,
    edgeKeys,
    signer,
    timings,
    database,
    capacity,
    cacheCapacity,
    sync: o.sync,
    store,
    peerLimits: checkPeerLimits(o.peerLimits),
    maxInboundPerHost: int(o.maxInboundPerHost, 'maxInboundPerHost', DEFAULTS.maxInboundPerHost, 1),
    maxGetAnswersPerPing: int(o.maxGetAnswersPerPing, 'maxGetAnswersPerPing', DEFAULTS.maxGetAnswersPerPing, 1),
    verifyWorkers: o.verifyWorkers === undefined ? undefined : int(o.verifyWorkers, 'verifyWorkers', 0, 0, MAX_VERIFY_WORKERS),
    maxClockSkewMs: int(o.maxClockSkewMs, 'maxClockSkewMs', DEFAULTS.maxClockSkewMs, 0),
    clock: withMethods<Clock>(o.clock, 'clock', ['now', 'setTimeout', 'clearTimeout']) ?? systemClock,
    logger: withMethods<Logger>(o.logger, 'logger', ['debug', 'info', 'warn', 'error']) ?? defaultLogger,
    sockets: withMethods<SocketFactory>(o.sockets, 'sockets', ['udp', 'tcp']) ?? nodeSockets,
    // a node given a random source draws its trust choices from it too (simulations repeat)
    trust: resolveTrust(o.trust, o.random === undefined ? undefined : () => randomFloat(random)),
    random,
    crypto: cryptoOf(o),
  };
}
