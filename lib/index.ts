/**
 * dave-kv: the public API. Everything a user of the package imports comes
 * from here; see README.md for the reference.
 */
// the codec entry: constants (but PROBE), errors, Dat, Entry, messages, frames, addresses, hex
export * from './codec.js';
export { publicKeyFromSeed, signingKey, type SigningKey } from './crypto/ed25519.js';
export { leadingZeroBits } from './crypto/work.js';
export { ready } from './crypto/hash.js';
export { createDat } from './workers/create-dat.js';
export {
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
export { type BatchWriter, type WriteReport } from './node/writes/batch-writer.js';
export type { StoreHealth, StorageFault, StorageCause } from './store/health.js';
export {
  type DaveOptions,
  type Timings,
  type Clock,
  type Logger,
  DEFAULT_TIMINGS,
  silentLogger,
  defaultLogger,
} from './node/options.js';
export { MIN_CAPACITY } from './constants.js';
export { type Ticket, encodeTicket, decodeTicket } from './wire/ticket.js';
export { type NodeStats } from './node/services/stats.js';
export { type TrustOptions, DEFAULT_TRUST } from './node/trust/keeper.js';
export { type PeerLimits, DEFAULT_PEER_LIMITS } from './peers/table.js';
export { type SocketFactory, type UdpTransport, type TcpTransport } from './transport/types.js';
export { nodeSockets } from './transport/index.js';
export { Store, type StoreStats, type OpenReport } from './store/store.js';
export {
  type StoreLike,
  type StoreOptions,
  type IndexedEntry,
  type Lookup,
  type PutResult,
  type RefusalCode,
} from './store/types.js';
