/**
 * Protocol constants of Dave (docs/protocol.md §1), shared with godave v0.0.51.
 * Every timing is in milliseconds; every size in bytes.
 */

/** Largest message: a UDP datagram or the body of a TCP frame. */
export const MAX_MSG_LEN = 1424;
/** Replicas per record, and peers asked by a GET. */
export const FANOUT = 5;
/** 1 in PROBE peer choices ignores trust (exploration): the trust-weighted draw of peers/trust.ts. Not exported from the package. */
export const PROBE = 12;
/** Most peer addresses in one PONG. */
export const NPEER_LIMIT = 12;
/** Least leading zero bits of a record's proof of work. */
export const MIN_WORK = 8;

/** Period between PINGs to every known peer. */
export const PING_MS = 1_000;
/** A new peer becomes active no sooner than this after it was added. */
export const ACTIVATE_AFTER_MS = 5_000;
/** A peer silent for this long is inactive; also the prune period. */
export const DEACTIVATE_AFTER_MS = 3_000;
/** A non-edge peer silent for this long is removed. */
export const DROP_AFTER_MS = 12_000;
/** Period between asking an edge for our public address. */
export const GETMYADDRPORT_EVERY_MS = 10 * 60_000;
/** Record lifetime used by the eviction priority. */
export const TTL_MS = 365 * 24 * 3600_000;
/** Period between replica re-evaluations. */
export const REPLICATE_EVERY_MS = 10 * 60_000;

/** Op codes, byte 0 of every message (docs/protocol.md §6). */
export const OP = Object.freeze({
  PING: 0,
  PONG: 1,
  PUT: 2,
  /** Reserved; never sent, never accepted. */
  PUT_ACK: 3,
  GET: 4,
  GET_ACK: 5,
  GETMYADDRPORT: 6,
  GETMYADDRPORT_ACK: 7,
} as const);
export type Op = (typeof OP)[keyof typeof OP];

/** Field sizes (docs/protocol.md §4, §6). */
export const ADDR_LEN = 18;
export const CHALLENGE_LEN = 32;
export const SALT_LEN = 16;
export const WORK_LEN = 32;
export const SIG_LEN = 64;
export const PUBKEY_LEN = 32;
export const SEED_LEN = 32;
/** Encoded Dat header: time, salt, work, sig, pubKey, key length, value length. */
export const DAT_HEADER_LEN = 8 + SALT_LEN + WORK_LEN + SIG_LEN + PUBKEY_LEN + 1 + 2; // 155
/** Replica IDs plus the u16 Dat length in front of an encoded Dat. */
export const ENTRY_HEADER_LEN = FANOUT * 8 + 2; // 42
/** Longest key. */
export const MAX_KEY_LEN = 255;
/** Longest key + value that still fits a PUT of MAX_MSG_LEN (docs/protocol.md §4). */
export const MAX_KV_LEN = MAX_MSG_LEN - 1 - 2 - ENTRY_HEADER_LEN - DAT_HEADER_LEN; // 1224
/** Bytes an entry is accounted for beyond its key and value (docs/protocol.md §9). */
export const ENTRY_OVERHEAD = 224;
/** Smallest store capacity a node accepts: room for one record of the largest size (1224 + 224). */
export const MIN_CAPACITY = MAX_KV_LEN + ENTRY_OVERHEAD; // 1448
/** Length of a PING message. */
export const PING_LEN = 1 + CHALLENGE_LEN + 8 + 8; // 49
/** Length of a PONG's auth solution. */
export const SOLUTION_LEN = CHALLENGE_LEN + SALT_LEN + PUBKEY_LEN + SIG_LEN; // 144

/**
 * The time godave writes into a not-found GET_ACK: Go's zero `time.Time`
 * through `UnixNano() / 1e6`, an overflowed value, as signed milliseconds.
 */
export const GO_ZERO_TIME_MS = -6795364578871;

/** Tolerance for a record's time being ahead of our clock (Go allows none). */
export const MAX_CLOCK_SKEW_MS = 5_000;
