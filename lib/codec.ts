/**
 * dave-kv/codec: the wire codec alone (constants, errors, Dat, Entry,
 * messages, TCP frames, addresses, hex). Importing it loads no database,
 * no WebAssembly and no worker, and touches no other library's settings:
 * for tools that only read or write godave's bytes. The main entry
 * (dave-kv) exports all of this too.
 */
// every protocol constant but PROBE, which nothing uses until peer trust does
export {
  MAX_MSG_LEN,
  FANOUT,
  NPEER_LIMIT,
  MIN_WORK,
  PING_MS,
  ACTIVATE_AFTER_MS,
  DEACTIVATE_AFTER_MS,
  DROP_AFTER_MS,
  GETMYADDRPORT_EVERY_MS,
  TTL_MS,
  REPLICATE_EVERY_MS,
  OP,
  ADDR_LEN,
  CHALLENGE_LEN,
  SALT_LEN,
  WORK_LEN,
  SIG_LEN,
  PUBKEY_LEN,
  SEED_LEN,
  DAT_HEADER_LEN,
  ENTRY_HEADER_LEN,
  MAX_KEY_LEN,
  MAX_KV_LEN,
  ENTRY_OVERHEAD,
  PING_LEN,
  SOLUTION_LEN,
  GO_ZERO_TIME_MS,
  MAX_CLOCK_SKEW_MS,
  type Op,
} from './constants.js';
export { DaveError, isDaveError, ERROR_CODES, type ErrorCode } from './errors.js';
export { type Dat, encodeDat, decodeDat, MAX_DAT_KV_LEN } from './wire/dat.js';
export { type Entry, encodeEntry, decodeEntry } from './wire/entry.js';
export {
  type Message,
  type PingMessage,
  type PongMessage,
  type PutMessage,
  type GetMessage,
  type GetAckMessage,
  type GetMyAddrPortMessage,
  type GetMyAddrPortAckMessage,
  type AuthSolution,
  encodeMessage,
  decodeMessage,
  notFoundEntry,
  isNotFound,
} from './wire/message.js';
export { encodeFrame, FrameDecoder } from './wire/frame.js';
export { type AddrPort, addrPort, parseAddress, formatAddress, ipToBytes, bytesToIp } from './wire/address.js';
export { toHex, fromHex } from './wire/bytes.js';
