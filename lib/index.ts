/**
 * dave-kv: the public API. Everything a user of the package imports comes
 * from here; see README.md for the reference.
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
export {
  type AddrPort,
  addrPort,
  parseAddress,
  formatAddress,
  ipToBytes,
  bytesToIp,
} from './wire/address.js';
export { toHex, fromHex } from './wire/bytes.js';
export { publicKeyFromSeed, signingKey, type SigningKey } from './crypto/ed25519.js';
export { leadingZeroBits } from './crypto/work.js';
export {
  createDat,
  verifyDat,
  nodeId,
  storeKey,
  shardOf,
  entrySize,
  datSigningHash,
  type CreateDatOptions,
  type VerifyDatOptions,
} from './records/record.js';
export {
  readBackup,
  writeBackup,
  readBackupStream,
  backupRecord,
  BackupReader,
  type BackupContents,
  type BackupEvent,
  type BackupSkip,
  type BackupRepair,
} from './store/backup.js';
export { Dave, type PeerInfo, type GetOptions } from './node/dave.js';
export { type BatchWriter } from './node/batch-writer.js';
export {
  type DaveOptions,
  type Timings,
  type Clock,
  type Logger,
  DEFAULT_TIMINGS,
  MIN_CAPACITY,
} from './node/options.js';
export { type NodeStats } from './node/stats.js';
export { type PeerLimits, DEFAULT_PEER_LIMITS } from './peers/table.js';
export { type SocketFactory, type UdpTransport, type TcpTransport } from './transport/types.js';
export { nodeSockets } from './transport/index.js';
export { Store, type StoreStats, type OpenReport } from './store/store.js';
export {
  type StoreLike,
  type StoreOptions,
  type IndexedEntry,
  type PutResult,
  type RefusalCode,
} from './store/types.js';
