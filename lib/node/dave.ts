/**
 * Dave: the running node, spec §7 to §12. It owns the sockets (through the
 * transport interfaces), the timers, the peer table, the store, and the
 * verify pool; everything it decides with a rule comes from a pure module
 * (peers/table, node/replicate). The receive path never throws: bad
 * datagrams are counted in stats() and dropped.
 */
import { randomBytes } from 'node:crypto';
import { CHALLENGE_LEN, FANOUT, MAX_KEY_LEN, NPEER_LIMIT, OP, PUBKEY_LEN, SALT_LEN } from '../constants.js';
import { DaveError, isDaveError } from '../errors.js';
import { type AddrPort, addressKey, bytesToIp, formatAddress } from '../wire/address.js';
import { checkBytes, equalBytes, toBytes } from '../wire/bytes.js';
import { type Dat, checkDat } from '../wire/dat.js';
import type { Entry } from '../wire/entry.js';
import { type Message, decodeMessage, encodeMessage, isNotFound, notFoundEntry } from '../wire/message.js';
import { type SigningKey, sign, verify } from '../crypto/ed25519.js';
import { blake3 } from '../crypto/hash.js';
import { nodeId, storeKey } from '../records/record.js';
import type { StoreLike } from '../store/types.js';
import { isDialable, isUnspecified, sameAddress } from '../peers/address.js';
import { type Peer, PeerTable, PONG_BUDGET, isActive } from '../peers/table.js';
import type { TcpTransport, UdpTransport } from '../transport/types.js';
import { type BatchWriter, Writer } from './batch-writer.js';
import { type BoundPair, bindPair } from './bind.js';
import { FrameSink } from './frame-sink.js';
import { PendingReads, readKey } from './get.js';
import { InboundConnections } from './ingest.js';
import { type Clock, type DaveOptions, type Logger, type Timings, resolveOptions } from './options.js';
import { chooseReplicas, sameReplicas } from './replicate.js';
import { replicationPass } from './replication.js';
import { type NodeStats, newStats, opName, snapshot } from './stats.js';
import { type VerifyPoolHandle, acquireVerifyPool } from './verify-pool.js';
import { openStore } from './open-store.js';
import { precheckDat } from './precheck.js';

/** Most UDP GETs being answered at once; more are dropped. */
const MAX_GETS_SERVED = 1024;
/** Most UDP PUTs being verified or stored at once; more are dropped. */
const MAX_UDP_PUTS = 2048;
/** Most distinct remote reads in flight. */
const MAX_READS = 4096;

export interface PeerInfo {
  /** "1.2.3.4:1618" or "[::1]:1618". */
  address: string;
  /** Node ID; 0n until the peer proved its key. */
  id: bigint;
  edge: boolean;
  active: boolean;
  /** Last datagram from the peer, ms since the epoch. */
  lastSeen: number;
}

export interface GetOptions {
  signal?: AbortSignal;
  /** Default: timings.getTimeoutMs (5 s). */
  timeoutMs?: number;
}

function invalid(msg: string): never {
  throw new DaveError('ERR_INVALID_ARGUMENT', msg);
}

function toNumber(x: bigint): number {
  return x < 0n ? 0 : x > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(x);
}

export class Dave {
  /** The node's ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** The node's ID: the first 8 bytes of its public key, little-endian. */
  readonly id: bigint;

  private readonly signer: SigningKey;
  private readonly timings: Timings;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly table: PeerTable;
  private readonly counters: NodeStats = newStats();
  private readonly reads = new PendingReads(MAX_READS);
  private readonly timers = new Set<unknown>();
  private readonly inbound: InboundConnections;
  private readonly activeWaiters = new Set<() => void>();
  private bound: AddrPort = { ip: new Uint8Array(16), port: 0 };
  private publicAddr: AddrPort | null = null;
  private lastAddrRequest = -Infinity;
  private getsServed = 0;
  private udpPuts = 0;
  private replicating = false;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly store: StoreLike,
    private readonly ownsStore: boolean,
    private readonly udp: UdpTransport,
    private readonly tcp: TcpTransport,
    private readonly pool: VerifyPoolHandle,
    private readonly skew: number,
    private readonly edges: AddrPort[],
    signer: SigningKey,
    timings: Timings,
    clock: Clock,
    log: Logger,
    table: PeerTable,
    maxInboundPerHost: number,
    private readonly maxGetAnswersPerPing: number,
  ) {
    this.signer = signer;
    this.publicKey = signer.publicKey;
    this.id = nodeId(signer.publicKey);
    this.timings = timings;
    this.clock = clock;
    this.log = log;
    this.table = table;
    this.inbound = new InboundConnections(maxInboundPerHost, {
      closing: () => this.closing !== null,
      onAccepted: () => this.counters.tcpAccepted++,
      ingest: (entry) => this.ingest(entry),
      setTimer: (fn, ms) => this.timeout(fn, ms),
      clearTimer: (h) => this.clearTimer(h),
      frameTimeoutMs: this.timings.frameTimeoutMs,
      onFrame: (op) => this.counters.packetsIn[opName(op)!]++,
      onMalformed: () => this.counters.malformed++,
      onDropped: () => this.counters.tcpDropped++,
    });
  }

  /**
   * Opens a node: the store, then the UDP socket and the TCP listener on
   * the next port, then the timers.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_ADDRESS, ERR_DATABASE_IN_USE,
   *   ERR_DATABASE; the OS error when the address cannot be bound
   */
  static async open(options: DaveOptions = {}): Promise<Dave> {
    const { listen, edges, signer, timings, capacity, cacheCapacity, maxInboundPerHost, maxGetAnswersPerPing, maxClockSkewMs, clock, logger: log, sockets } =
      resolveOptions(options);

    const ownsStore = options.store === undefined;
    const store =
      options.store ??
      (await openStore({
        database: options.database,
        nodeId: nodeId(signer.publicKey),
        capacity,
        cacheCapacity,
        sync: options.sync,
        now: () => clock.now(),
      }));
    let pair: BoundPair;
    try {
      pair = await bindPair(sockets, bytesToIp(listen.ip), listen.port);
    } catch (err) {
      if (ownsStore) await store.close();
      throw err;
    }
    const { udp, tcp } = pair;
    try {
      const pool = acquireVerifyPool(options.verifyWorkers);
      const node = new Dave(store, ownsStore, udp, tcp, pool, maxClockSkewMs, edges, signer, timings, clock, log, new PeerTable(options.peerLimits), maxInboundPerHost, maxGetAnswersPerPing);
      node.start(pair.address);
      return node;
    } catch (err) {
      await Promise.all([udp.close(), tcp.close()]);
      if (ownsStore) await store.close();
      throw err;
    }
  }

  private start(bound: AddrPort): void {
    this.bound = bound;
    this.udp.onmessage = (data, from) => this.onDatagram(data, from);
    this.tcp.onconnection = (stream, remote) => this.inbound.accept(stream, remote);
    const now = this.clock.now();
    for (const e of this.edges) this.table.add(e, true, now);
    this.every(this.timings.pingMs, () => this.pingAll());
    this.every(this.timings.deactivateAfterMs, () => this.prune());
    this.every(this.timings.replicateEveryMs, () => void this.replicate());
    this.pingAll();
    this.log.info(`dave: node ${this.id.toString(16).padStart(16, '0')} listening on ${this.address()} (TCP port ${bound.port + 1})`);
  }

  /** Runs `fn` every `ms` on the injected clock; close() stops it. */
  private every(ms: number, fn: () => void): void {
    const tick = () => {
      this.timers.delete(handle);
      if (this.closing) return;
      try {
        fn();
      } catch (err) {
        this.log.error('dave: timer task failed', err);
      }
      if (!this.closing) {
        handle = this.clock.setTimeout(tick, ms);
        this.timers.add(handle);
      }
    };
    let handle = this.clock.setTimeout(tick, ms);
    this.timers.add(handle);
  }

  private timeout(fn: () => void, ms: number): unknown {
    const h = this.clock.setTimeout(() => {
      this.timers.delete(h);
      fn();
    }, ms);
    this.timers.add(h);
    return h;
  }

  private clearTimer(h: unknown): void {
    this.timers.delete(h);
    this.clock.clearTimeout(h);
  }

  // ---- sending ----

  private send(msg: Message, to: AddrPort): void {
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(msg);
    } catch (err) {
      this.log.warn('dave: could not encode', opName(msg.op), err);
      return;
    }
    if (this.udp.send(bytes, to)) this.counters.packetsOut[opName(msg.op)!]++;
  }

  private usedSpaceBig(): bigint {
    return BigInt(this.store.usedSpace());
  }

  /** Spec §7: a fresh challenge to every peer, edges and inactive ones included. */
  private pingAll(): void {
    const usedSpace = this.usedSpaceBig();
    const capacity = BigInt(this.store.capacity());
    for (const peer of this.table.all()) {
      peer.pongBudget = PONG_BUDGET;
      peer.getBudget = this.maxGetAnswersPerPing;
      const challenge = new Uint8Array(randomBytes(CHALLENGE_LEN));
      peer.challenge = challenge;
      this.send({ op: OP.PING, challenge, usedSpace, capacity }, peer.addr);
    }
    this.maybeAskAddress();
  }

  /** Spec §8: ask an edge that solved recently for our public address. */
  private maybeAskAddress(): void {
    if (this.edges.length === 0) return;
    const now = this.clock.now();
    const every = this.publicAddr === null ? this.timings.pingMs : this.timings.getMyAddrPortEveryMs;
    if (now - this.lastAddrRequest < every) return;
    const fresh = this.edges
      .map((e) => this.table.get(addressKey(e)))
      .filter((p): p is Peer => p !== undefined && p.pubKey !== null && now - p.solved < this.timings.deactivateAfterMs);
    if (fresh.length === 0) return;
    this.lastAddrRequest = now;
    this.send({ op: OP.GETMYADDRPORT }, fresh[Math.floor(Math.random() * fresh.length)]!.addr);
  }

  private prune(): void {
    const removed = this.table.prune(this.clock.now(), this.timings);
    for (const p of removed) this.log.debug(`dave: dropped peer ${formatAddress(p.addr)}`);
    this.notifyActive();
  }

  private notifyActive(): void {
    for (const w of [...this.activeWaiters]) w();
  }

  // ---- receiving ----

  private isOwnAddress(a: AddrPort): boolean {
    if (this.publicAddr !== null && sameAddress(a, this.publicAddr)) return true;
    return !isUnspecified(this.bound.ip) && sameAddress(a, this.bound);
  }

  private onDatagram(data: Uint8Array, from: AddrPort): void {
    if (this.closing) return;
    if (this.isOwnAddress(from)) {
      this.counters.droppedOwnAddress++;
      return;
    }
    let msg: Message;
    try {
      msg = decodeMessage(data);
    } catch {
      this.counters.malformed++;
      return;
    }
    this.counters.packetsIn[opName(msg.op)!]++;
    try {
      switch (msg.op) {
        case OP.PING:
          return this.onPing(msg.challenge, msg.usedSpace, msg.capacity, from);
        case OP.PONG:
          return this.onPong(msg.peers, msg.solution, from);
        case OP.PUT:
          // a datagram's source can be forged: only proven peers may make us verify
          if (this.table.get(addressKey(from))?.pubKey == null) return void this.counters.ignoredUnknown++;
          return this.onUdpPut(msg.entry);
        case OP.GET: {
          // answered only to peers that proved their key: a GET with a
          // spoofed source would otherwise make us send many times its size
          // (a 34-byte GET, a ~1.4 kB GET_ACK). A
          // proven peer's address can still be forged, so each peer also
          // gets a budget of answers per PING period.
          const peer = this.table.get(addressKey(from));
          if (peer?.pubKey == null) return void this.counters.ignoredUnknown++;
          if (peer.getBudget <= 0) return void this.counters.getsOverBudget++;
          peer.getBudget--;
          return this.onGet(msg.pubKey, msg.key, from);
        }
        case OP.GET_ACK:
          return this.onGetAck(msg.entry, from);
        case OP.GETMYADDRPORT:
          if (!this.table.get(addressKey(from))) return void this.counters.ignoredUnknown++;
          return this.send({ op: OP.GETMYADDRPORT_ACK, addr: from }, from);
        case OP.GETMYADDRPORT_ACK:
          return this.onMyAddr(msg.addr, from);
      }
    } catch (err) {
      // a handler bug must not take the socket down
      this.log.error('dave: handler failed', err);
    }
  }

  private onPing(challenge: Uint8Array, usedSpace: bigint, capacity: bigint, from: AddrPort): void {
    const now = this.clock.now();
    const key = addressKey(from);
    const peer = this.table.get(key) ?? this.table.add(from, false, now);
    if (!peer) {
      this.counters.droppedQueueFull++;
      return;
    }
    peer.lastSeen = now;
    peer.usedSpace = usedSpace;
    peer.capacity = capacity;
    if (peer.pongBudget <= 0) return;
    peer.pongBudget--;
    const salt = new Uint8Array(randomBytes(SALT_LEN));
    const sig = sign(this.signer, blake3(challenge, salt));
    // our peer list goes only to peers that proved their key (a spoofed
    // PING gets a short answer); a new peer gets it one PING period later
    const peers = peer.pubKey === null ? [] : this.table.randomActive(NPEER_LIMIT, key).map((p) => p.addr);
    this.send({ op: OP.PONG, peers, solution: { challenge, salt, pubKey: this.publicKey, sig } }, from);
  }

  private onPong(list: AddrPort[], s: { challenge: Uint8Array; salt: Uint8Array; pubKey: Uint8Array; sig: Uint8Array }, from: AddrPort): void {
    const now = this.clock.now();
    const peer = this.table.get(addressKey(from));
    const challenge = peer?.challenge ?? null;
    if (!peer || challenge === null) {
      this.counters.authFailures++;
      return;
    }
    peer.challenge = null; // one answer per challenge
    if (
      !equalBytes(challenge, s.challenge) ||
      s.pubKey.length !== PUBKEY_LEN ||
      (peer.pubKey !== null && !equalBytes(peer.pubKey, s.pubKey)) ||
      !verify(s.pubKey, blake3(s.challenge, s.salt), s.sig)
    ) {
      this.counters.authFailures++;
      return;
    }
    if (equalBytes(s.pubKey, this.publicKey)) {
      // we pinged ourselves through some address: remember it, forget the "peer"
      if (!peer.edge) this.table.remove(peer.key);
      this.publicAddr ??= peer.addr;
      return;
    }
    if (peer.pubKey === null) {
      peer.pubKey = Uint8Array.from(s.pubKey);
      peer.id = nodeId(s.pubKey);
    }
    peer.lastSeen = now;
    peer.solved = now;
    const wasActive = peer.active;
    peer.active = isActive(peer, now, this.timings);
    if (list.length > NPEER_LIMIT || list.some((a) => this.isOwnAddress(a))) {
      this.counters.peerListsRejected++;
    } else {
      for (const a of list) {
        if (!isDialable(a) || !this.table.add(a, false, now)) this.counters.peerAddressesSkipped++;
      }
    }
    if (peer.active && !wasActive) this.notifyActive();
  }

  private onMyAddr(addr: AddrPort, from: AddrPort): void {
    const peer = this.table.get(addressKey(from));
    if (!peer?.edge) return; // only an edge may tell us who we are
    this.publicAddr = { ip: Uint8Array.from(addr.ip), port: addr.port };
    const self = this.table.get(addressKey(addr));
    if (self && !self.edge) this.table.remove(self.key);
    this.log.info(`dave: public address ${formatAddress(addr)}`);
  }

  private onGet(pubKey: Uint8Array, key: Uint8Array, from: AddrPort): void {
    if (this.getsServed >= MAX_GETS_SERVED) {
      this.counters.droppedQueueFull++;
      return;
    }
    this.getsServed++;
    this.store
      .get(pubKey, key)
      .then(
        (entry) => {
          if (!this.closing) this.send({ op: OP.GET_ACK, entry: entry ?? notFoundEntry(pubKey, key) }, from);
        },
        (err) => this.log.warn('dave: store read failed', err),
      )
      .finally(() => this.getsServed--);
  }

  private onGetAck(entry: Entry, from: AddrPort): void {
    const id = readKey(entry.dat.pubKey, entry.dat.key);
    const fromKey = addressKey(from);
    if (!this.reads.expects(id, fromKey)) return; // unsolicited
    if (isNotFound(entry)) return this.reads.notFound(id, fromKey);
    // the read captured now: by the time verification ends it may have
    // expired and another read for the same key begun
    const read = this.reads.verifying(id);
    this.verify(entry.dat).then(
      () => {
        this.reads.verified(read, id, true, fromKey);
        this.reads.found(id, entry);
        void this.storeEntry(entry);
      },
      (err) => {
        this.countVerifyError(err);
        this.reads.verified(read, id, false, fromKey); // a bad answer counts as none
      },
    );
  }

  private onUdpPut(entry: Entry): void {
    if (this.udpPuts >= MAX_UDP_PUTS) {
      this.counters.droppedQueueFull++;
      return;
    }
    this.udpPuts++;
    void this.ingest(entry).finally(() => this.udpPuts--);
  }

  private countVerifyError(err: unknown): void {
    if (isDaveError(err, 'ERR_ABORTED')) this.counters.droppedQueueFull++;
    else this.counters.verifyFailures++;
  }

  /**
   * A PUT (UDP or TCP): verify, then store (spec §10). A record identical
   * to the stored one is not verified again; one older than the stored one
   * is refused without verifying. Never rejects.
   */
  private async ingest(entry: Entry): Promise<void> {
    if (this.closing) return;
    const dat = entry.dat;
    let known = false;
    try {
      const sk = storeKey(dat.pubKey, dat.key);
      const idx = this.store.peek(sk);
      if (idx !== undefined && idx.time > dat.time) {
        this.refused('ERR_OLDER_THAN_STORED');
        return;
      }
      if (idx !== undefined && idx.time === dat.time) {
        const stored = await this.store.getByStoreKey(sk);
        if (stored && sameDat(stored.dat, dat)) {
          known = true;
          this.counters.verifySkipped++;
          if (sameReplicas(stored.replicas, entry.replicas)) {
            this.refused('ERR_DUPLICATE');
            return;
          }
        }
      }
    } catch (err) {
      this.log.warn('dave: store lookup failed', err);
      return;
    }
    if (!known) {
      try {
        // the cheap checks first, so junk never waits in the verify queue
        precheckDat(dat, this.clock.now(), this.skew);
        await this.verify(dat);
      } catch (err) {
        this.countVerifyError(err);
        return;
      }
    }
    await this.storeEntry(entry);
  }

  private verify(dat: Dat): Promise<void> {
    return this.pool.verify(dat, this.clock.now(), this.skew);
  }

  private refused(code: string): void {
    this.counters.refused[code] = (this.counters.refused[code] ?? 0) + 1;
  }

  /** Stores a verified entry, counting the outcome. Never rejects. */
  private async storeEntry(entry: Entry): Promise<boolean> {
    if (this.closing) return false;
    try {
      const r = await this.store.put(entry);
      this.counters.recordsStored++;
      if (r.evicted !== undefined) this.counters.evicted++;
      return true;
    } catch (err) {
      if (isDaveError(err) && err.code !== 'ERR_DATABASE' && err.code !== 'ERR_CLOSED') this.refused(err.code);
      else if (!this.closing) this.log.warn('dave: store write failed', err);
      return false;
    }
  }

  // ---- public API ----

  /**
   * Reads a record: from the local store, else from the FANOUT active
   * peers closest to the owner (spec §11). A verified answer is stored.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_NOT_FOUND, ERR_TIMEOUT,
   *   ERR_ABORTED, ERR_NO_ACTIVE_PEERS, ERR_CLOSED
   */
  async get(publicKey: Uint8Array, key: string | Uint8Array, options: GetOptions = {}): Promise<Entry> {
    checkBytes(publicKey, PUBKEY_LEN, 'publicKey');
    const k = toBytes(key, 'key');
    if (k.length > MAX_KEY_LEN) invalid(`key is ${k.length} bytes, at most ${MAX_KEY_LEN}`);
    const timeoutMs = options.timeoutMs ?? this.timings.getTimeoutMs;
    if (!(timeoutMs > 0)) invalid('timeoutMs must be a positive number');
    if (options.signal?.aborted) throw new DaveError('ERR_ABORTED', 'get aborted');
    this.checkOpen();
    const local = await this.store.get(publicKey, k);
    if (local) return local;
    if (this.closing) throw new DaveError('ERR_ABORTED', 'node closed');
    const peers = this.table.closestActive(nodeId(publicKey), FANOUT);
    if (peers.length === 0) throw new DaveError('ERR_NO_ACTIVE_PEERS', 'no active peers to ask');
    const id = readKey(publicKey, k);
    if (!this.reads.hasRoom(id)) throw new DaveError('ERR_ABORTED', 'too many reads in flight');
    const waiting = this.reads.wait(
      id,
      peers.map((p) => p.key),
      timeoutMs,
      options.signal,
      { set: (fn, ms) => this.timeout(fn, ms), clear: (h) => this.clearTimer(h) },
    );
    const msg: Message = { op: OP.GET, pubKey: Uint8Array.from(publicKey), key: Uint8Array.from(k) };
    for (const p of peers) this.send(msg, p.addr);
    return waiting;
  }

  /**
   * A writer for records of `publicKey` (spec §10): replicas are the
   * FANOUT closest of the active peers and this node.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_NO_ACTIVE_PEERS, ERR_CLOSED
   */
  batchWriter(publicKey: Uint8Array): BatchWriter {
    checkBytes(publicKey, PUBKEY_LEN, 'publicKey');
    this.checkOpen();
    const active = this.table.active().filter((p) => p.id !== 0n);
    if (active.length === 0) throw new DaveError('ERR_NO_ACTIVE_PEERS', 'no active peers to write to');
    const replicas = chooseReplicas(nodeId(publicKey), [this.id, ...active.map((p) => p.id)]);
    const byId = new Map(active.map((p) => [p.id, p]));
    const connectors = replicas
      .filter((r) => r !== 0n && r !== this.id && byId.has(r))
      .map((r) => {
        const addr = byId.get(r)!.addr;
        return () => this.openSink(addr);
      });
    return new Writer(
      {
        verify: (dat) => this.verify(dat),
        storeLocal: async (entry) => void (await this.storeEntry(entry)),
        sent: (n) => (this.counters.packetsOut.PUT += n),
        closeTimeoutMs: this.timings.connectTimeoutMs + this.timings.frameTimeoutMs,
      },
      Uint8Array.from(publicKey),
      replicas,
      true,
      connectors,
    );
  }

  private openSink(udpAddr: AddrPort): Promise<FrameSink | Error> {
    const to = { ip: udpAddr.ip, port: udpAddr.port + 1 };
    return this.tcp.connect(to, this.timings.connectTimeoutMs).then(
      (stream) => new FrameSink(stream, this.timings.connectTimeoutMs + this.timings.frameTimeoutMs),
      (err: Error) => err,
    );
  }

  /**
   * Writes one record: a batch of one.
   * @throws as batchWriter() and BatchWriter.close()
   */
  async put(dat: Dat): Promise<void> {
    if (dat === null || typeof dat !== 'object') invalid('dat must be a Dat');
    const w = this.batchWriter(dat.pubKey);
    try {
      await w.write(dat);
    } finally {
      await w.close();
    }
  }

  /**
   * Resolves once at least `count` peers are active.
   * @throws DaveError ERR_ABORTED (signal, or the node closed)
   */
  waitForActivePeers(count: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!Number.isInteger(count) || count < 0) invalid('count must be a non-negative integer');
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.closing) finish(new DaveError('ERR_ABORTED', 'node closed'));
        else if (options.signal?.aborted) finish(new DaveError('ERR_ABORTED', 'wait aborted'));
        else if (this.table.activeCount() >= count) finish(null);
      };
      const finish = (err: DaveError | null) => {
        this.activeWaiters.delete(check);
        options.signal?.removeEventListener('abort', check);
        if (err) reject(err);
        else resolve();
      };
      this.activeWaiters.add(check);
      options.signal?.addEventListener('abort', check, { once: true });
      check();
    });
  }

  /** Accounted bytes stored here. */
  usedSpace(): number {
    return this.store.usedSpace();
  }

  /** Configured capacity in bytes. */
  capacity(): number {
    return this.store.capacity();
  }

  activePeerCount(): number {
    return this.table.activeCount();
  }

  /** Sums of this node's and the active peers' used space and capacity (from their PINGs). */
  networkUsedSpaceAndCapacity(): { usedSpace: number; capacity: number } {
    let used = this.usedSpace();
    let cap = this.capacity();
    for (const p of this.table.active()) {
      used += toNumber(p.usedSpace);
      cap += toNumber(p.capacity);
    }
    return { usedSpace: used, capacity: cap };
  }

  /** The bound UDP address, "127.0.0.1:1618" or "[::]:1618". TCP is on port + 1. */
  address(): string {
    return formatAddress(this.bound);
  }

  /** Our address as an edge reported it (spec §8), or null before that. */
  publicAddress(): string | null {
    return this.publicAddr === null ? null : formatAddress(this.publicAddr);
  }

  peers(): PeerInfo[] {
    return [...this.table.all()].map((p) => ({
      address: formatAddress(p.addr),
      id: p.id,
      edge: p.edge,
      active: p.active,
      lastSeen: p.lastSeen,
    }));
  }

  /** A snapshot of the counters. */
  stats(): NodeStats {
    return snapshot(this.counters);
  }

  // ---- the local view (for the CLI and the HTTP API) ----

  /**
   * Records of `owner` held in this node's own store whose key starts with
   * `prefix`, in key order (bytewise), at most `limit` of them after the key
   * `after`. Scans the whole store (records are kept in hash order), so it
   * costs O(records held); `more` says whether a next page exists.
   * @throws DaveError ERR_INVALID_ARGUMENT, ERR_CLOSED, ERR_DATABASE
   */
  async localRecords(
    owner: Uint8Array,
    options: { prefix?: string | Uint8Array; after?: string | Uint8Array; limit?: number } = {},
  ): Promise<{ entries: Entry[]; more: boolean }> {
    checkBytes(owner, PUBKEY_LEN, 'owner');
    const prefix = toBytes(options.prefix ?? new Uint8Array(0), 'prefix');
    const after = options.after === undefined ? undefined : toBytes(options.after, 'after');
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) invalid('limit must be a positive integer');
    this.checkOpen();
    const found: Entry[] = [];
    for await (const e of this.store.entries()) {
      const k = e.dat.key;
      if (!equalBytes(e.dat.pubKey, owner) || k.length < prefix.length || !equalBytes(k.subarray(0, prefix.length), prefix)) continue;
      if (after !== undefined && Buffer.compare(k, after) <= 0) continue;
      found.push(e);
    }
    found.sort((a, b) => Buffer.compare(a.dat.key, b.dat.key));
    return { entries: found.slice(0, limit), more: found.length > limit };
  }

  /**
   * Every record held here, read from a snapshot of the store taken when
   * iteration starts (writes go on meanwhile): what a live backup needs.
   * @throws DaveError ERR_CLOSED, ERR_DATABASE (while iterating)
   */
  localEntries(): AsyncIterable<Entry> {
    this.checkOpen();
    return this.store.entries();
  }

  /** Records held in this node's store. */
  recordCount(): number {
    return this.store.count();
  }

  /** Records waiting for (or in) signature verification, in this process's pool. */
  verifyQueueLength(): number {
    return this.pool.pending();
  }

  /**
   * Verifies `dat` and stores it here only, sending it nowhere: for a node
   * that has no active peer yet (put() needs one). Peers get it from the
   * replication pass once they appear.
   * @throws DaveError ERR_INVALID_ARGUMENT, the verification codes
   *   (ERR_FUTURE_TIME ... ERR_BAD_SIGNATURE), the store's refusal codes
   *   (ERR_OLDER_THAN_STORED, ERR_DUPLICATE, ...), ERR_CLOSED
   */
  async storeLocal(dat: Dat): Promise<void> {
    checkDat(dat);
    this.checkOpen();
    await this.verify(dat);
    const replicas = [this.id, ...Array<bigint>(FANOUT - 1).fill(0n)];
    try {
      const r = await this.store.put({ dat, replicas });
      this.counters.recordsStored++;
      if (r.evicted !== undefined) this.counters.evicted++;
    } catch (err) {
      if (isDaveError(err) && err.code !== 'ERR_DATABASE' && err.code !== 'ERR_CLOSED') this.refused(err.code);
      throw err;
    }
  }

  private checkOpen(): void {
    if (this.closing) throw new DaveError('ERR_CLOSED', 'node is closed');
  }

  // ---- replication (spec §12) ----

  /**
   * One replica re-evaluation pass. Returns the number of entries whose
   * replicas changed. Public for tests and operators; runs on its own
   * every timings.replicateEveryMs.
   *
   * A non-leader stores the new replica list at once. The leader (largest
   * old replica ID, spec §12) sends the entry to the new replicas first and
   * stores the new list only once every one of those sends went out on a
   * connection that ended cleanly: when one failed (replica unreachable,
   * connection reset), the entry keeps its old list, so the next pass finds
   * it changed again and sends again.
   */
  async replicate(): Promise<number> {
    if (this.replicating || this.closing) return 0;
    this.replicating = true;
    try {
      return await replicationPass({
        id: this.id,
        activePeers: () => this.table.active(),
        entries: () => this.store.entries(),
        storeEntry: (entry) => this.storeEntry(entry),
        openSink: (addr) => this.openSink(addr),
        counters: this.counters,
        timings: this.timings,
        log: this.log,
        closing: () => this.closing !== null,
      });
    } finally {
      this.replicating = false; // whatever settling the pass met, replication must not stop for good
    }
  }

  /**
   * Stops every timer and socket, fails pending reads with ERR_ABORTED,
   * flushes and closes the store (unless it was handed in). Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    for (const h of this.timers) this.clock.clearTimeout(h);
    this.timers.clear();
    this.reads.abortAll();
    this.notifyActive();
    this.inbound.destroyAll();
    await Promise.all([this.udp.close(), this.tcp.close(), this.pool.release()]);
    try {
      if (this.ownsStore) await this.store.close();
      else await this.store.flush();
    } catch (err) {
      this.log.warn('dave: store close failed', err);
    }
    for (const h of this.timers) this.clock.clearTimeout(h);
    this.timers.clear();
  }
}

function sameDat(a: Dat, b: Dat): boolean {
  return (
    a.time === b.time &&
    equalBytes(a.sig, b.sig) &&
    equalBytes(a.pubKey, b.pubKey) &&
    equalBytes(a.key, b.key) &&
    equalBytes(a.value, b.value) &&
    equalBytes(a.salt, b.salt) &&
    equalBytes(a.work, b.work)
  );
}
