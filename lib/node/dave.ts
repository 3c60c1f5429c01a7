/**
 * Dave: the running node, docs/protocol.md §7 to §12, and its public API.
 * It builds the one services port (node/services/) over the node's parts
 * and hands it to each flow (peers/, intake/, reads/, writes/,
 * replication/, trust/, views/), which register their handlers with the
 * dispatcher. The receive path never throws: bad datagrams are counted in
 * stats() and dropped.
 */
import { PUBKEY_LEN } from '../constants.js';
import { DaveError, invalidArgument } from '../errors.js';
import { addressKey, formatAddress } from '../wire/address.js';
import { Edges } from './peers/edges.js';
import { checkBytes } from '../wire/bytes.js';
import type { Dat } from '../wire/dat.js';
import type { Entry } from '../wire/entry.js';
import { nodeId } from '../records/record.js';
import { NodeAnnouncer } from './views/announce.js';
import { type BatchWriter, type WriteReport, openWriter } from './writes/batch-writer.js';
import type { StoreHealth } from '../store/health.js';
import { type NodeServices, baseServices } from './services/services.js';
import { AddressDiscovery } from './peers/discovery.js';
import { Dispatcher } from './services/dispatch.js';
import { Handshake } from './peers/handshake.js';
import { InboundConnections } from './intake/tcp-reader.js';
import { Intake } from './intake/intake.js';
import { type LocalRecordsOptions, type LocalRecordsPage, LocalView } from './views/local-view.js';
import { type DaveOptions, randomFloat } from './options.js';
import { type NodeParts, closeParts, openParts } from './parts.js';
import { ActiveWaiters, type PeerInfo, networkTotals, peerInfo } from './views/peer-view.js';
import { type GetOptions, RemoteReads, checkGet } from './reads/remote.js';
import { Replicator } from './replication/pass.js';
import { GetServer } from './reads/serve.js';
import { type NodeStats, newStats, snapshot } from './services/stats.js';
import { Timers } from './services/timers.js';
import { UdpPuts } from './intake/udp-put.js';
import { NodeTrust } from './trust/wiring.js';

export type { PeerInfo } from './views/peer-view.js';
export type { GetOptions } from './reads/remote.js';
export type { LocalRecordsOptions, LocalRecordsPage } from './views/local-view.js';

export class Dave {
  /** The node's ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** The node's ID: the first 8 bytes of its public key, little-endian. */
  readonly id: bigint;

  private readonly p: NodeParts;
  private readonly counters: NodeStats = newStats();
  private readonly timers: Timers;
  private readonly s: NodeServices;
  private readonly discovery: AddressDiscovery;
  private readonly handshake: Handshake;
  private readonly intake: Intake;
  private readonly reads: RemoteReads;
  private readonly inbound: InboundConnections;
  private readonly waiters: ActiveWaiters;
  private readonly replicator: Replicator;
  private readonly trust: NodeTrust;
  private readonly announce: NodeAnnouncer;
  private readonly local: LocalView;
  private readonly edges: Edges;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(p: NodeParts) {
    this.p = p;
    this.publicKey = p.signer.publicKey;
    this.id = nodeId(p.signer.publicKey);
    this.timers = new Timers(p.clock, p.log);
    const closing = () => this.closed;
    // the one services port: the base, the intake on it, trust on both
    const base = baseServices(p, this.id, this.counters, this.timers, closing);
    this.intake = new Intake(base, p.pool, p.skew);
    this.trust = new NodeTrust({ ...base, intake: this.intake }, p.trust, p.timings.getTimeoutMs);
    this.s = { ...base, intake: this.intake, trust: this.trust };
    this.announce = new NodeAnnouncer(p);
    this.waiters = new ActiveWaiters(p.table, closing, () => this.announce.peersChanged());
    this.discovery = new AddressDiscovery(this.s, p.edges, p.bound, () => randomFloat(p.random));
    this.handshake = new Handshake(this.s, {
      signer: p.signer,
      crypto: p.crypto,
      discovery: this.discovery,
      maxGetAnswersPerPing: p.maxGetAnswersPerPing,
      onActive: () => this.waiters.notify(),
      randomBytes: p.random,
    });
    this.reads = new RemoteReads(this.s);
    this.replicator = new Replicator(this.s);
    this.local = new LocalView(this.s, p.pool, () => this.checkOpen());
    this.edges = new Edges({ ...p, ping: (peer) => this.handshake.ping(peer) });
    this.inbound = new InboundConnections(this.s, p.maxInboundPerHost);
  }

  /**
   * Opens a node: the store, then the UDP socket and the TCP listener on
   * the next port, then the timers.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_ADDRESS (an option, checked
   *   before anything is opened), ERR_DATABASE_IN_USE, ERR_DATABASE_CORRUPT,
   *   ERR_DATABASE; the OS error when the address cannot be bound (its
   *   message says whether the UDP port or the TCP port, UDP + 1, is taken)
   */
  static async open(options: DaveOptions = {}): Promise<Dave> {
    const parts = await openParts(options);
    try {
      const node = new Dave(parts);
      node.start();
      return node;
    } catch (err) {
      await closeParts(parts);
      throw err;
    }
  }

  private start(): void {
    const { udp, tcp, timings, edges } = this.p;
    // each flow registers its handlers; trust takes a GET_ACK before the reads do
    const d = new Dispatcher(this.s, (from) => this.discovery.isOwnAddress(from));
    for (const flow of [this.handshake, this.discovery, this.trust, this.reads, new GetServer(this.s), new UdpPuts(this.s)]) flow.register(d);
    udp.onmessage = d.receive;
    tcp.onconnection = (stream, remote) => this.inbound.accept(stream, remote);
    // configured edges: a ticket's (or a given) key is expected of each (peers/edges.ts)
    for (const e of [...edges]) this.edges.add(e, false, this.p.edgeKeys.get(addressKey(e)) ?? null);
    this.timers.every(timings.pingMs, () => this.handshake.pingAll());
    this.timers.every(timings.pingMs, () => this.announce.tick()); // silent edges, the status line when due
    this.timers.every(timings.deactivateAfterMs, () => this.prune());
    this.timers.every(timings.replicateEveryMs, () => void this.replicate());
    this.trust.start();
    this.handshake.pingAll();
    this.announce.opened(this.id, this.address(), this.p.bound.port + 1, this.p.openMs);
  }

  /**
   * Adds an edge at run time, checked as options.edges are
   * (node/peers/edges.ts): an address or a join ticket; the edge must prove
   * the ticket's key, or `options.publicKey` given with an address. Returns
   * the addresses added.
   * @throws DaveError ERR_BAD_ADDRESS, ERR_INVALID_ARGUMENT, ERR_CLOSED
   */
  addEdge(edge: string, options: { publicKey?: Uint8Array } = {}): string[] {
    return this.edges.addText(edge, () => this.checkOpen(), options.publicKey ?? null);
  }

  private prune(): void {
    const removed = this.p.table.prune(this.p.clock.now(), this.p.timings);
    this.edges.logDropped(removed);
    this.trust.sweep(); // peers gone from the table (evicted ones too)
    this.waiters.notify();
  }

  /**
   * Reads a record: from the local store, else from the FANOUT active
   * peers closest to the owner (docs/protocol.md §11). A verified answer is stored.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_NOT_FOUND, ERR_TIMEOUT,
   *   ERR_ABORTED (signal), ERR_NO_ACTIVE_PEERS, ERR_OVERLOADED, ERR_CLOSED
   */
  async get(publicKey: Uint8Array, key: string | Uint8Array, options: GetOptions = {}): Promise<Entry> {
    const { key: k, timeoutMs } = checkGet(publicKey, key, options, this.p.timings.getTimeoutMs);
    this.checkOpen();
    const local = await this.p.store.get(publicKey, k);
    if (local) return local;
    this.checkOpen();
    return this.reads.ask(publicKey, k, timeoutMs, options.signal);
  }

  /**
   * A writer for records of `publicKey` (docs/protocol.md §10): replicas are the
   * FANOUT closest of the active peers and this node.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_NO_ACTIVE_PEERS, ERR_CLOSED
   */
  batchWriter(publicKey: Uint8Array): BatchWriter {
    checkBytes(publicKey, PUBKEY_LEN, 'publicKey');
    this.checkOpen();
    return openWriter(this.s, publicKey); // trust: each failing replica gets a substitute, the next-closest reliable peer
  }

  /**
   * Writes one record (a batch of one): where it went, or the refusal.
   * @throws as batchWriter() and BatchWriter.close()
   */
  async put(dat: Dat): Promise<WriteReport> {
    if (dat === null || typeof dat !== 'object') invalidArgument('dat must be a Dat');
    const w = this.batchWriter(dat.pubKey);
    await w.write(dat).catch(async (err: unknown) => Promise.reject(await w.close().then(() => err, () => err)));
    return w.close();
  }

  /**
   * Resolves once `count` peers are ready: active, proved their key, answered by us (they answer reads).
   * `timeoutMs` bounds the wait on the node's clock (none: until the signal or close).
   * @throws DaveError ERR_TIMEOUT (the message names silent edges), ERR_ABORTED, ERR_CLOSED, ERR_INVALID_ARGUMENT
   */
  async waitForActivePeers(count: number, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    if (!Number.isInteger(count) || count < 0) invalidArgument('count must be a non-negative integer');
    return this.waiters.wait(count, options.signal, this.edges.waitTimeout(count, options.timeoutMs));
  }

  /** Whether the store accepts writes: ok or degraded, since when, the last failure (docs/operations.md). */
  storeHealth(): StoreHealth | null {
    return this.p.store.health?.() ?? null;
  }

  /** Accounted bytes stored here. */
  usedSpace(): number {
    return this.p.store.usedSpace();
  }

  /** Configured capacity in bytes. */
  capacity(): number {
    return this.p.store.capacity();
  }

  activePeerCount(): number {
    return this.p.table.activeCount();
  }

  /** Sums of this node's and the active peers' used space and capacity (from their PINGs). */
  networkUsedSpaceAndCapacity(): { usedSpace: number; capacity: number } {
    return networkTotals(this.usedSpace(), this.capacity(), this.p.table.active());
  }

  /** The bound UDP address, "127.0.0.1:1618" or "[::]:1618". TCP is on port + 1. */
  address(): string {
    return formatAddress(this.p.bound);
  }

  /** Our address as an edge reported it (docs/protocol.md §8), or null before that. */
  publicAddress(): string | null {
    const a = this.discovery.publicAddress;
    return a === null ? null : formatAddress(a);
  }

  /** Every known peer, with its reliability, RTT and challenge counts (docs/trust.md). */
  peers(): PeerInfo[] {
    return [...this.p.table.all()].map((x) => ({ ...peerInfo(x), ...this.trust.info(x.key) }));
  }

  /** A snapshot of the counters. */
  stats(): NodeStats {
    return snapshot(this.counters);
  }

  // ---- the local view, for the CLI and the HTTP API (node/views/local-view.ts) ----

  /** Records of `owner` held here by key prefix, a page at a time (`next`: the cursor of the next page, or null). */
  localRecords(owner: Uint8Array, options?: LocalRecordsOptions): Promise<LocalRecordsPage> {
    return this.local.records(owner, options);
  }

  /** Every record held here, from a store snapshot taken when iteration starts (a live backup). */
  localEntries(): AsyncIterable<Entry> {
    return this.local.entries();
  }

  /** Records held in this node's store. */
  recordCount(): number {
    return this.local.count();
  }

  /** Records waiting for (or in) signature verification, in this process's pool. */
  verifyQueueLength(): number {
    return this.local.verifyQueueLength();
  }

  /** Verifies `dat` and stores it here only (no active peer needed); replication spreads it later. */
  storeLocal(dat: Dat): Promise<WriteReport> {
    return this.local.store(dat).then(() => ({ storedHere: 1, sentTo: 0 }));
  }

  private checkOpen(): void {
    if (this.closed) throw new DaveError('ERR_CLOSED', 'node is closed');
  }

  /**
   * One replica re-evaluation pass (docs/protocol.md §12, node/replication/pass.ts): the number of entries whose
   * replicas changed. Public for tests and operators; runs every timings.replicateEveryMs.
   */
  replicate(): Promise<number> {
    return this.replicator.run();
  }

  /** Stops timers and sockets, fails pending reads (ERR_CLOSED), flushes and closes the store (one handed in: flushed only). Safe twice. */
  close(): Promise<void> {
    this.closed = true; // before closeNow's first step: the steps check it
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.timers.clearAll();
    this.reads.abortAll();
    this.waiters.notify();
    this.inbound.destroyAll();
    await closeParts(this.p);
    this.timers.clearAll();
  }
}
