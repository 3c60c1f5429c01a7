/**
 * Messages, docs/protocol.md §6: byte 0 is the op code, the body follows.
 * Each message's layout, checks, encoder and decoder are one codec entry of
 * messages.ts; this file dispatches on the op byte. Decoding untrusted
 * bytes throws only DaveError, never reads past the end, and rejects
 * trailing bytes, so decode(encode(m)) and encode(decode(b)) are both
 * identities.
 */
import { FANOUT, GO_ZERO_TIME_MS, MAX_MSG_LEN, type OP, SALT_LEN, SIG_LEN, WORK_LEN } from '../constants.js';
import { DaveError } from '../errors.js';
import { alloc, need } from './bytes.js';
import type { Entry } from './entry.js';
import { type Message, codecOf } from './messages.js';

export {
  type AuthSolution,
  type GetAckMessage,
  type GetMessage,
  type GetMyAddrPortAckMessage,
  type GetMyAddrPortMessage,
  type Message,
  type PingMessage,
  type PongMessage,
  type PutMessage,
  MAX_PONG_PEERS,
} from './messages.js';

function tooLarge(len: number): never {
  throw new DaveError('ERR_TOO_LARGE', `message is ${len} bytes, at most ${MAX_MSG_LEN}`);
}

/**
 * Encodes a message. Refuses what it could not decode back: a PONG with
 * more than MAX_PONG_PEERS peers, anything over MAX_MSG_LEN, PUT_ACK.
 * @throws DaveError ERR_UNKNOWN_OP, ERR_INVALID_ARGUMENT, ERR_BAD_TIME,
 *   ERR_TOO_LARGE (over MAX_MSG_LEN, over MAX_PONG_PEERS peers, a Dat's key over 255 bytes)
 */
export function encodeMessage(msg: Message): Uint8Array {
  if (msg === null || typeof msg !== 'object') throw new DaveError('ERR_INVALID_ARGUMENT', 'message must be an object');
  const op: unknown = msg.op;
  const codec = typeof op === 'number' ? codecOf(op) : undefined;
  if (codec === undefined) throw new DaveError('ERR_UNKNOWN_OP', `cannot encode op ${String(op)}`);
  const len = codec.preencode(msg);
  if (len > MAX_MSG_LEN) tooLarge(len);
  const out = alloc(len);
  out[0] = codec.op;
  codec.encode(msg, out);
  return out;
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
  const codec = codecOf(buf[0]!);
  if (codec === undefined) throw new DaveError('ERR_UNKNOWN_OP', `unknown op code ${buf[0]}`);
  return codec.decode(buf);
}

/**
 * A PUT or GET_ACK around encoded Entry bytes (a stored record's form,
 * docs/protocol.md §5, §6): the op, the u16 length, the bytes copied after
 * them; what encodeMessage makes of the decoded entry, without decoding
 * and encoding it. Internal: `entry` is bytes that decode (a store's
 * record, or entryLayout passed).
 * @throws DaveError ERR_TOO_LARGE (over MAX_MSG_LEN)
 */
export function entryMessageBytes(op: typeof OP.PUT | typeof OP.GET_ACK, entry: Uint8Array): Uint8Array {
  const len = 3 + entry.length;
  if (len > MAX_MSG_LEN) tooLarge(len);
  const out = alloc(len); // from the shared slab: a backing store of its own cost ~1.5 µs per answer
  out[0] = op;
  out[1] = entry.length & 0xff;
  out[2] = entry.length >>> 8;
  out.set(entry, 3);
  return out;
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
