/**
 * What a node is built from, opened in order: the options checked, the
 * store, the UDP socket and the TCP listener on the next port, the verify
 * pool and an empty peer table. Dave.open wires these together.
 */
import type { AddrPort } from '../wire/address.js';
import { type AddressKey, bytesToIp } from '../wire/address.js';
import type { SigningKey } from '../crypto/ed25519.js';
import { ready } from '../crypto/hash.js';
import { nodeId } from '../records/record.js';
import { Store } from '../store/store.js';
import type { StoreHealth, StoreLike } from '../store/types.js';
import { PeerTable } from '../peers/table.js';
import type { TcpTransport, UdpTransport } from '../transport/types.js';
import { bindPair } from './bind.js';
import { type Clock, type DaveOptions, type Logger, type RandomSource, type Timings, resolveOptions } from './options.js';
import { type VerifyPoolHandle, acquireVerifyPool } from '../workers/verify-pool.js';
import type { TrustOptions } from './trust/keeper.js';
import { type CryptoSuite, realCrypto } from '../crypto/suite.js';
import { verifyWith } from '../records/record.js';

export interface NodeParts {
  store: StoreLike;
  /** True when the node opened the store (and so closes it). */
  ownsStore: boolean;
  udp: UdpTransport;
  tcp: TcpTransport;
  /** The bound UDP address; TCP is on its port + 1. */
  bound: AddrPort;
  pool: VerifyPoolHandle;
  /** Signing, signature checks and work hashes: realCrypto but in the simulator's cheap mode (crypto/suite.ts). */
  crypto: CryptoSuite;
  signer: SigningKey;
  edges: AddrPort[];
  /** addressKey of a configured edge → the key its PONG must prove (from a ticket, or given). */
  edgeKeys: ReadonlyMap<AddressKey, Uint8Array>;
  table: PeerTable;
  timings: Timings;
  clock: Clock;
  /** Every random byte the node draws. */
  random: RandomSource;
  log: Logger;
  /** Allowed clock skew for record times, ms. */
  skew: number;
  maxInboundPerHost: number;
  maxGetAnswersPerPing: number;
  /** Trust options; null when trust is off. */
  trust: TrustOptions | null;
  /** Time the open took (options, store, sockets), ms. */
  openMs: number;
}

/**
 * Every option is checked (resolveOptions) before the disk or the network
 * is touched.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_ADDRESS (an option),
 *   ERR_DATABASE_IN_USE, ERR_DATABASE_CORRUPT, ERR_DATABASE; the OS error
 *   when the address cannot be bound, its message naming the UDP or the TCP
 *   port (the store is closed again then)
 */
export async function openParts(options: DaveOptions): Promise<NodeParts> {
  const o = resolveOptions(options);
  await ready(); // the WASM hashes (crypto/hash.ts): a store handed in may not have loaded them
  const started = performance.now();
  const ownsStore = o.store === undefined;
  const store =
    o.store ??
    (await Store.open({
      database: o.database,
      nodeId: nodeId(o.signer.publicKey),
      capacity: o.capacity,
      cacheCapacity: o.cacheCapacity,
      sync: o.sync,
      now: () => o.clock.now(),
      onHealth: (h) => logHealth(o.logger, h),
    }));
  let pair;
  try {
    pair = await bindPair(o.sockets, bytesToIp(o.listen.ip), o.listen.port);
  } catch (err) {
    if (ownsStore) await store.close();
    throw err;
  }
  return {
    store,
    ownsStore,
    udp: pair.udp,
    tcp: pair.tcp,
    bound: pair.address,
    pool: o.crypto === realCrypto ? acquireVerifyPool(o.verifyWorkers) : inlinePool(o.crypto),
    crypto: o.crypto,
    signer: o.signer,
    edges: o.edges,
    edgeKeys: o.edgeKeys,
    table: new PeerTable(o.peerLimits),
    timings: o.timings,
    clock: o.clock,
    random: o.random,
    log: o.logger,
    skew: o.maxClockSkewMs,
    maxInboundPerHost: o.maxInboundPerHost,
    maxGetAnswersPerPing: o.maxGetAnswersPerPing,
    trust: o.trust,
    openMs: performance.now() - started,
  };
}

/** One line at error when the store degrades (the cause and what to do), one at info when it recovers. */
export function logHealth(log: Logger, h: StoreHealth): void {
  const e = h.lastError;
  if (h.status === 'degraded') {
    log.error(`dave: store degraded: the database refuses writes (${e?.cause}: ${e?.message}); writes fail with ERR_STORAGE_UNAVAILABLE, reads go on, retrying with backoff. To fix: ${e?.advice}`);
  } else {
    log.info(`dave: store recovered: the database accepts writes again (degraded since ${e ? new Date(e.at).toISOString() : 'unknown'})`);
  }
}

/**
 * Closes what openParts opened (a node closing, or one that failed to
 * start): the sockets, the node's hold on the verify pool, then the store,
 * closed when the node opened it, else only flushed. A store that fails to
 * close is logged, not thrown (the node is going away either way).
 * @throws nothing of its own
 */
export async function closeParts(p: NodeParts): Promise<void> {
  await Promise.all([p.udp.close(), p.tcp.close(), p.pool.release()]);
  try {
    if (p.ownsStore) await p.store.close();
    else await p.store.flush();
  } catch (err) {
    p.log.warn('dave: store close failed', err);
  }
}

/** A node given a stand-in crypto (the simulator) verifies inline with it: no workers, no shared pool. */
function inlinePool(suite: CryptoSuite): VerifyPoolHandle {
  return {
    verify: (dat, now, maxClockSkew) => {
      try {
        verifyWith(suite, dat, { now, maxClockSkew });
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err);
      }
    },
    release: () => Promise.resolve(),
    pending: () => 0,
  };
}
