/**
 * dave-kv: the public API. Everything a user of the package imports comes
 * from here; see README.md for the reference.
 */
export * from './constants.js';
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
