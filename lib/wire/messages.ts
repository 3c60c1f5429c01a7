/**
 * One codec entry per message (docs/protocol.md §6), as hyperdht's
 * lib/messages.js keeps them: each message's type, layout, checks,
 * encoder, decoder and name in one place. message.ts dispatches on the op
 * byte through CODECS; adding a message type is one entry here (and one
 * handler in the node). Decoders read untrusted bytes: they throw only
 * DaveError, never read past the end, and reject trailing bytes.
 */
import {
  ADDR_LEN,
  CHALLENGE_LEN,
  MAX_KEY_LEN,
  OP,
  PING_LEN,
  PUBKEY_LEN,
  SALT_LEN,
  SIG_LEN,
  SOLUTION_LEN,
} from '../constants.js';
import { DaveError, invalidArgument } from '../errors.js';
import { checkBytes, copyOf, need, readI64, readU16, writeI64Unchecked } from './bytes.js';
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

/** An op's name: a key of OP. */
export type OpName = keyof typeof OP;

/** The codec of one message type. */
export interface MessageCodec<M extends Message = Message> {
  /** Byte 0 of the message. */
  readonly op: M['op'];
  /** The op's name (its key in OP), for counters and logs. */
  readonly name: OpName;
  /**
   * Checks every field of `msg` and returns its encoded length, the op byte
   * included (encodeMessage refuses it over MAX_MSG_LEN).
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
   */
  preencode(msg: M): number;
  /** Writes the body of a preencoded `msg` after the op byte of `out`. Never throws. */
  encode(msg: M, out: Uint8Array): void;
  /**
   * Decodes the whole message `buf`, whose byte 0 is this op.
   * @throws DaveError ERR_TRUNCATED, ERR_BAD_LENGTH, ERR_TOO_LARGE, ERR_BAD_TIME
   */
  decode(buf: Uint8Array): M;
}

function checkI64(v: unknown, name: string): bigint {
  if (typeof v !== 'bigint' || v < -(1n << 63n) || v >= 1n << 63n) invalidArgument(`${name} must be a bigint in the i64 range`);
  return v;
}

function checkObject(v: unknown, name: string): void {
  if (v === null || typeof v !== 'object') invalidArgument(`${name} must be an object`);
}

/** Exactly `end` bytes, else ERR_TRUNCATED (fewer) or ERR_BAD_LENGTH (more). */
function exact(buf: Uint8Array, end: number, what: string): void {
  if (buf.length !== end) {
    need(buf, 0, end, what);
    throw new DaveError('ERR_BAD_LENGTH', `${what}: ${buf.length - end} trailing bytes`);
  }
}

/** PING: op, challenge (32), used space i64, capacity i64. */
export const ping: MessageCodec<PingMessage> = {
  op: OP.PING,
  name: 'PING',
  preencode(msg) {
    checkBytes(msg.challenge, CHALLENGE_LEN, 'ping.challenge');
    checkI64(msg.usedSpace, 'ping.usedSpace');
    checkI64(msg.capacity, 'ping.capacity');
    return PING_LEN;
  },
  encode(msg, out) {
    out.set(msg.challenge, 1);
    writeI64Unchecked(out, 1 + CHALLENGE_LEN, msg.usedSpace);
    writeI64Unchecked(out, 9 + CHALLENGE_LEN, msg.capacity);
  },
  decode(buf) {
    exact(buf, PING_LEN, 'PING');
    return {
      op: OP.PING,
      challenge: copyOf(buf, 1, 1 + CHALLENGE_LEN),
      usedSpace: readI64(buf, 1 + CHALLENGE_LEN, 'PING used space'),
      capacity: readI64(buf, 9 + CHALLENGE_LEN, 'PING capacity'),
    };
  },
};

/** The names checkAddrPort reports for a PONG's peers (made once, not per PONG). */
const PEER_NAMES = Array.from({ length: MAX_PONG_PEERS }, (_, i) => `pong.peers[${i}]`);

/** PONG: op, u8 byte length of the addresses, the addresses (18 each), the solution (challenge, salt, pubKey, sig). */
export const pong: MessageCodec<PongMessage> = {
  op: OP.PONG,
  name: 'PONG',
  preencode(msg) {
    if (!Array.isArray(msg.peers)) invalidArgument('pong.peers must be an array');
    if (msg.peers.length > MAX_PONG_PEERS) {
      throw new DaveError('ERR_TOO_LARGE', `a PONG holds at most ${MAX_PONG_PEERS} peers, got ${msg.peers.length}`);
    }
    for (let i = 0; i < msg.peers.length; i++) checkAddrPort(msg.peers[i]!, PEER_NAMES[i]!);
    const s = msg.solution;
    checkObject(s, 'pong.solution');
    checkBytes(s.challenge, CHALLENGE_LEN, 'solution.challenge');
    checkBytes(s.salt, SALT_LEN, 'solution.salt');
    checkBytes(s.pubKey, PUBKEY_LEN, 'solution.pubKey');
    checkBytes(s.sig, SIG_LEN, 'solution.sig');
    return 2 + msg.peers.length * ADDR_LEN + SOLUTION_LEN;
  },
  encode(msg, out) {
    out[1] = msg.peers.length * ADDR_LEN;
    let o = 2;
    for (const p of msg.peers) o = encodeAddress(p, out, o);
    const s = msg.solution;
    out.set(s.challenge, o);
    out.set(s.salt, (o += CHALLENGE_LEN));
    out.set(s.pubKey, (o += SALT_LEN));
    out.set(s.sig, (o += PUBKEY_LEN));
  },
  decode(buf) {
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
    return { op: OP.PONG, peers, solution };
  },
};

/** The layout PUT and GET_ACK share: op, u16 Entry length, the Entry (docs/protocol.md §5). */
function entryMessage<M extends PutMessage | GetAckMessage>(op: M['op'], name: OpName): MessageCodec<M> {
  return {
    op,
    name,
    preencode(msg) {
      checkEntry(msg.entry);
      return 3 + entryLength(msg.entry);
    },
    encode(msg, out) {
      const len = out.length - 3;
      out[1] = len & 0xff;
      out[2] = len >>> 8;
      writeEntry(msg.entry, out, 3);
    },
    decode(buf) {
      const len = readU16(buf, 1, 'entry length');
      if (3 + len !== buf.length) {
        throw new DaveError(
          3 + len > buf.length ? 'ERR_TRUNCATED' : 'ERR_BAD_LENGTH',
          `entry length ${len} does not match the ${buf.length - 3} bytes that follow`,
        );
      }
      return { op, entry: readEntry(buf, 3, buf.length) } as M;
    },
  };
}

/** PUT: op, u16 Entry length, the Entry. */
export const put: MessageCodec<PutMessage> = entryMessage<PutMessage>(OP.PUT, 'PUT');

/** GET: op, pubKey (32), u8 key length, the key. */
export const get: MessageCodec<GetMessage> = {
  op: OP.GET,
  name: 'GET',
  preencode(msg) {
    checkBytes(msg.pubKey, PUBKEY_LEN, 'get.pubKey');
    if (!(msg.key instanceof Uint8Array) || msg.key.length > MAX_KEY_LEN) {
      invalidArgument(`get.key must be a Uint8Array of at most ${MAX_KEY_LEN} bytes`);
    }
    return 1 + PUBKEY_LEN + 1 + msg.key.length;
  },
  encode(msg, out) {
    out.set(msg.pubKey, 1);
    out[1 + PUBKEY_LEN] = msg.key.length;
    out.set(msg.key, 2 + PUBKEY_LEN);
  },
  decode(buf) {
    need(buf, 0, 2 + PUBKEY_LEN, 'GET');
    const keyLen = buf[1 + PUBKEY_LEN]!;
    exact(buf, 2 + PUBKEY_LEN + keyLen, 'GET');
    return { op: OP.GET, pubKey: copyOf(buf, 1, 1 + PUBKEY_LEN), key: copyOf(buf, 2 + PUBKEY_LEN, buf.length) };
  },
};

/** GET_ACK: the layout of PUT; the not-found answer has an all-zero signature. */
export const getAck: MessageCodec<GetAckMessage> = entryMessage<GetAckMessage>(OP.GET_ACK, 'GET_ACK');

/** GETMYADDRPORT: the op alone. */
export const getMyAddrPort: MessageCodec<GetMyAddrPortMessage> = {
  op: OP.GETMYADDRPORT,
  name: 'GETMYADDRPORT',
  preencode: () => 1,
  encode: () => {},
  decode(buf) {
    exact(buf, 1, 'GETMYADDRPORT');
    return { op: OP.GETMYADDRPORT };
  },
};

/** GETMYADDRPORT_ACK: op, one address (18). */
export const getMyAddrPortAck: MessageCodec<GetMyAddrPortAckMessage> = {
  op: OP.GETMYADDRPORT_ACK,
  name: 'GETMYADDRPORT_ACK',
  preencode(msg) {
    checkAddrPort(msg.addr, 'addr');
    return 1 + ADDR_LEN;
  },
  encode(msg, out) {
    encodeAddress(msg.addr, out, 1);
  },
  decode(buf) {
    exact(buf, 1 + ADDR_LEN, 'GETMYADDRPORT_ACK');
    return { op: OP.GETMYADDRPORT_ACK, addr: decodeAddress(buf, 1) };
  },
};

/** Every codec, by op code (PUT_ACK, reserved, has none: never sent, never accepted). */
export const CODECS: readonly (MessageCodec | undefined)[] = (() => {
  const all = [ping, pong, put, get, getAck, getMyAddrPort, getMyAddrPortAck] as unknown as MessageCodec[];
  const byOp: (MessageCodec | undefined)[] = [];
  for (const c of all) byOp[c.op] = c;
  return Object.freeze(byOp);
})();

/** The codec of op code `op`, or undefined (unknown, or the reserved PUT_ACK). Never throws. */
export function codecOf(op: number): MessageCodec | undefined {
  return CODECS[op];
}

const NAMES: readonly OpName[] = (() => {
  const names: OpName[] = [];
  for (const [name, code] of Object.entries(OP)) names[code] = name as OpName;
  return Object.freeze(names);
})();

/** The name of op code `op` (its key in OP, found by value, so key order does not matter), or undefined. Never throws. */
export function opName(op: number): OpName | undefined {
  return NAMES[op];
}
