/**
 * Messages, docs/protocol.md §6: byte 0 is the op code, the body follows. Decoding
 * untrusted bytes throws only DaveError, never reads past the end, and
 * rejects trailing bytes, so decode(encode(m)) and encode(decode(b)) are
 * both identities.
 */
import {
  ADDR_LEN,
  CHALLENGE_LEN,
  FANOUT,
  GO_ZERO_TIME_MS,
  MAX_KEY_LEN,
  MAX_MSG_LEN,
  OP,
  PING_LEN,
  PUBKEY_LEN,
  SALT_LEN,
  SIG_LEN,
  SOLUTION_LEN,
  WORK_LEN,
} from '../constants.js';
import { DaveError, invalidArgument } from '../errors.js';
import { alloc, checkBytes, copyOf, need, readI64, readU16, view } from './bytes.js';
import { type AddrPort, checkAddrPort, decodeAddress, encodeAddress } from './address.js';
import { type Entry, checkEntry, entryLength, readEntry, writeEntry } from './entry.js';

/** A PONG's proof that the sender holds the key it names (docs/protocol.md §7). */
export interface AuthSolution {
  /** 32 bytes: the challenge echoed. */
  challenge: Uint8Array;
  /** 16 bytes, fresh per answer. */
  salt: Uint8Array;
  /** 32 bytes: the answering node's public key. */
  pubKey: Uint8Array;
  /** 64 bytes: ed25519 over blake3(challenge ‖ salt). */
  sig: Uint8Array;
}

/** Op 0: a challenge and the sender's used space and capacity. */
export interface PingMessage {
  op: typeof OP.PING;
  /** 32 random bytes. */
  challenge: Uint8Array;
  /** i64 bytes. */
  usedSpace: bigint;
  /** i64 bytes. */
  capacity: bigint;
}
/** Most addresses a PONG can carry: floor(255 / 18), the u8 byte length's reach. */
export const MAX_PONG_PEERS = Math.floor(255 / ADDR_LEN); // 14

/** Op 1: peer addresses (a node sends at most NPEER_LIMIT) and the answer to our challenge. */
export interface PongMessage {
  op: typeof OP.PONG;
  /**
   * At most MAX_PONG_PEERS (14, what the u8 byte length can express),
   * encoding and decoding. The NPEER_LIMIT (12) rule is the node's: docs/protocol.md §7
   * authenticates a PONG and then rejects only its list when it is longer.
   */
  peers: AddrPort[];
  solution: AuthSolution;
}
/** Op 2: store this Entry. */
export interface PutMessage {
  op: typeof OP.PUT;
  entry: Entry;
}
/** Op 4: ask for the record of `pubKey` and `key`. */
export interface GetMessage {
  op: typeof OP.GET;
  pubKey: Uint8Array;
  key: Uint8Array;
}
/** Op 5: the Entry asked for, or the not-found form (isNotFound). */
export interface GetAckMessage {
  op: typeof OP.GET_ACK;
  entry: Entry;
}
/** Op 6: ask an edge for our address as it sees it. */
export interface GetMyAddrPortMessage {
  op: typeof OP.GETMYADDRPORT;
}
/** Op 7: the asker's address as seen by the answering node. */
export interface GetMyAddrPortAckMessage {
  op: typeof OP.GETMYADDRPORT_ACK;
  addr: AddrPort;
}
/** Every message, discriminated by `op`. */
export type Message =
  | PingMessage
  | PongMessage
  | PutMessage
  | GetMessage
  | GetAckMessage
  | GetMyAddrPortMessage
  | GetMyAddrPortAckMessage;

function tooLarge(len: number): never {
  throw new DaveError('ERR_TOO_LARGE', `message is ${len} bytes, at most ${MAX_MSG_LEN}`);
}

function checkI64(v: unknown, name: string): bigint {
  if (typeof v !== 'bigint' || v < -(1n << 63n) || v >= 1n << 63n) invalidArgument(`${name} must be a bigint in the i64 range`);
  return v;
}

function checkObject(v: unknown, name: string): void {
  if (v === null || typeof v !== 'object') invalidArgument(`${name} must be an object`);
}

/** Validates every field of `msg`; returns its encoded length. */
function checkMessage(msg: Message): number {
  checkObject(msg, 'message');
  switch (msg.op) {
    case OP.PING:
      checkBytes(msg.challenge, CHALLENGE_LEN, 'ping.challenge');
      checkI64(msg.usedSpace, 'ping.usedSpace');
      checkI64(msg.capacity, 'ping.capacity');
      return PING_LEN;
    case OP.PONG: {
      if (!Array.isArray(msg.peers)) invalidArgument('pong.peers must be an array');
      if (msg.peers.length > MAX_PONG_PEERS) {
        throw new DaveError('ERR_TOO_LARGE', `a PONG holds at most ${MAX_PONG_PEERS} peers, got ${msg.peers.length}`);
      }
      msg.peers.forEach((p, i) => checkAddrPort(p, `pong.peers[${i}]`));
      const s = msg.solution;
      checkObject(s, 'pong.solution');
      checkBytes(s.challenge, CHALLENGE_LEN, 'solution.challenge');
      checkBytes(s.salt, SALT_LEN, 'solution.salt');
      checkBytes(s.pubKey, PUBKEY_LEN, 'solution.pubKey');
      checkBytes(s.sig, SIG_LEN, 'solution.sig');
      return 2 + msg.peers.length * ADDR_LEN + SOLUTION_LEN;
    }
    case OP.PUT:
    case OP.GET_ACK:
      checkEntry(msg.entry);
      return 3 + entryLength(msg.entry);
    case OP.GET:
      checkBytes(msg.pubKey, PUBKEY_LEN, 'get.pubKey');
      if (!(msg.key instanceof Uint8Array) || msg.key.length > MAX_KEY_LEN) {
        invalidArgument(`get.key must be a Uint8Array of at most ${MAX_KEY_LEN} bytes`);
      }
      return 1 + PUBKEY_LEN + 1 + msg.key.length;
    case OP.GETMYADDRPORT:
      return 1;
    case OP.GETMYADDRPORT_ACK:
      checkAddrPort(msg.addr, 'addr');
      return 1 + ADDR_LEN;
    default:
      throw new DaveError('ERR_UNKNOWN_OP', `cannot encode op ${String((msg as { op: unknown }).op)}`);
  }
}

/**
 * Encodes a message. Refuses what it could not decode back: a PONG with
 * more than MAX_PONG_PEERS peers, anything over MAX_MSG_LEN, PUT_ACK.
 * @throws DaveError ERR_UNKNOWN_OP, ERR_INVALID_ARGUMENT, ERR_BAD_TIME,
 *   ERR_TOO_LARGE (over MAX_MSG_LEN, over MAX_PONG_PEERS peers, a Dat's key over 255 bytes)
 */
export function encodeMessage(msg: Message): Uint8Array {
  const len = checkMessage(msg);
  if (len > MAX_MSG_LEN) tooLarge(len);
  const out = alloc(len);
  out[0] = msg.op;
  switch (msg.op) {
    case OP.PING: {
      out.set(msg.challenge, 1);
      const dv = view(out);
      dv.setBigInt64(1 + CHALLENGE_LEN, msg.usedSpace, true);
      dv.setBigInt64(9 + CHALLENGE_LEN, msg.capacity, true);
      break;
    }
    case OP.PONG: {
      out[1] = msg.peers.length * ADDR_LEN;
      let o = 2;
      for (const p of msg.peers) o = encodeAddress(p, out, o);
      const s = msg.solution;
      out.set(s.challenge, o);
      out.set(s.salt, (o += CHALLENGE_LEN));
      out.set(s.pubKey, (o += SALT_LEN));
      out.set(s.sig, (o += PUBKEY_LEN));
      break;
    }
    case OP.PUT:
    case OP.GET_ACK:
      out[1] = (len - 3) & 0xff;
      out[2] = (len - 3) >>> 8;
      writeEntry(msg.entry, out, 3);
      break;
    case OP.GET:
      out.set(msg.pubKey, 1);
      out[1 + PUBKEY_LEN] = msg.key.length;
      out.set(msg.key, 2 + PUBKEY_LEN);
      break;
    case OP.GETMYADDRPORT:
      break;
    case OP.GETMYADDRPORT_ACK:
      encodeAddress(msg.addr, out, 1);
      break;
  }
  return out;
}

function exact(buf: Uint8Array, end: number, what: string): void {
  if (buf.length !== end) {
    need(buf, 0, end, what);
    throw new DaveError('ERR_BAD_LENGTH', `${what}: ${buf.length - end} trailing bytes`);
  }
}

/**
 * Decodes one message (a UDP datagram or a TCP frame body).
 * @throws DaveError ERR_TRUNCATED, ERR_TOO_LARGE, ERR_BAD_LENGTH,
 *   ERR_UNKNOWN_OP (undefined op, or the reserved PUT_ACK), ERR_BAD_TIME,
 *   ERR_INVALID_ARGUMENT (not a Uint8Array); never anything else.
 */
export function decodeMessage(buf: Uint8Array): Message {
  if (!(buf instanceof Uint8Array)) throw new DaveError('ERR_INVALID_ARGUMENT', 'buf must be a Uint8Array');
  if (buf.length > MAX_MSG_LEN) tooLarge(buf.length);
  need(buf, 0, 1, 'op');
  const op = buf[0]!;
  switch (op) {
    case OP.PING:
      exact(buf, PING_LEN, 'PING');
      return {
        op,
        challenge: copyOf(buf, 1, 1 + CHALLENGE_LEN),
        usedSpace: readI64(buf, 1 + CHALLENGE_LEN, 'PING used space'),
        capacity: readI64(buf, 9 + CHALLENGE_LEN, 'PING capacity'),
      };
    case OP.PONG: {
      need(buf, 1, 1, 'PONG address list length');
      const l = buf[1]!;
      if (l % ADDR_LEN !== 0) {
        throw new DaveError('ERR_BAD_LENGTH', `PONG address list length ${l} is not a multiple of ${ADDR_LEN}`);
      }
      exact(buf, 2 + l + SOLUTION_LEN, 'PONG');
      const peers: AddrPort[] = [];
      for (let o = 2; o < 2 + l; o += ADDR_LEN) peers.push(decodeAddress(buf, o));
      let o = 2 + l;
      const solution: AuthSolution = {
        challenge: copyOf(buf, o, (o += CHALLENGE_LEN)),
        salt: copyOf(buf, o, (o += SALT_LEN)),
        pubKey: copyOf(buf, o, (o += PUBKEY_LEN)),
        sig: copyOf(buf, o, (o += SIG_LEN)),
      };
      return { op, peers, solution };
    }
    case OP.PUT:
    case OP.GET_ACK: {
      const len = readU16(buf, 1, 'entry length');
      if (3 + len !== buf.length) {
        throw new DaveError(
          3 + len > buf.length ? 'ERR_TRUNCATED' : 'ERR_BAD_LENGTH',
          `entry length ${len} does not match the ${buf.length - 3} bytes that follow`,
        );
      }
      return { op, entry: readEntry(buf, 3, buf.length) };
    }
    case OP.GET: {
      need(buf, 0, 2 + PUBKEY_LEN, 'GET');
      const keyLen = buf[1 + PUBKEY_LEN]!;
      exact(buf, 2 + PUBKEY_LEN + keyLen, 'GET');
      return { op, pubKey: copyOf(buf, 1, 1 + PUBKEY_LEN), key: copyOf(buf, 2 + PUBKEY_LEN, buf.length) };
    }
    case OP.GETMYADDRPORT:
      exact(buf, 1, 'GETMYADDRPORT');
      return { op };
    case OP.GETMYADDRPORT_ACK:
      exact(buf, 1 + ADDR_LEN, 'GETMYADDRPORT_ACK');
      return { op, addr: decodeAddress(buf, 1) };
    default:
      throw new DaveError('ERR_UNKNOWN_OP', `unknown op code ${op}`);
  }
}

/**
 * The Entry of a not-found GET_ACK (docs/protocol.md §6): only pubKey and key set, time
 * as godave writes its zero time, everything else zero.
 * Never throws (encodeMessage checks the fields).
 */
export function notFoundEntry(pubKey: Uint8Array, key: Uint8Array): Entry {
  return {
    dat: {
      time: GO_ZERO_TIME_MS,
      salt: new Uint8Array(SALT_LEN),
      work: new Uint8Array(WORK_LEN),
      sig: new Uint8Array(SIG_LEN),
      pubKey,
      key,
      value: new Uint8Array(0),
    },
    replicas: new Array<bigint>(FANOUT).fill(0n),
  };
}

/**
 * A receiver recognises "not found" by the all-zero signature.
 * Never throws.
 */
export function isNotFound(entry: Entry): boolean {
  return entry.dat.sig.every((b) => b === 0);
}
