/**
 * A simulation: one virtual clock, one seeded random source, one
 * simulated network, and ordinary Dave nodes opened on them (each with its
 * own IPv4 address, a seeded private key and random source, a Store on
 * memory-level and inline verification). Nothing in a node knows it is simulated.
 */
import { Dave } from '../node/dave.js';
import { type DaveOptions, type Timings, silentLogger } from '../node/options.js';
import { type Dat } from '../wire/dat.js';
import { createDat } from '../workers/create-dat.js';
import { datSigningHash, nodeId } from '../records/record.js';
import { cachedSigningKey, signingKey } from '../crypto/ed25519.js';
import { CRYPTO_SEAM } from '../crypto/suite.js';
import { DaveError } from '../errors.js';
import { Store } from '../store/store.js';
import { addrPort } from '../wire/address.js';
import { VirtualClock } from './clock.js';
import { type LinkModel, SimNetwork } from './network.js';
import { Rng } from './random.js';
import { cheapCrypto, cheapWork } from './cheap-crypto.js';
import { Flooder, type Role, freeloaderStore, liarStore } from './roles.js';

export interface SimulationOptions {
  /** Seeds every random draw of the run. Default 1. */
  seed?: number | string;
  /** The default link between any two hosts. */
  link?: Partial<LinkModel>;
  /** Timings given to every node. Default the protocol's (docs/protocol.md). */
  timings?: Partial<Timings>;
  /** Keep every datagram's fate in network.trace (memory grows with the run). Default false. */
  keepTrace?: boolean;
  /** The nodes' `trust` option (docs/trust.md). Default: the node's default (on). */
  trust?: DaveOptions['trust'];
  /**
   * 'real' (default): every node signs and verifies with ed25519 and
   * checks BLAKE3 proof of work. 'cheap': the simulator's stand-in
   * (lib/sim/cheap-crypto.ts) for both, with the same sizes, so packet and
   * byte counts stay true; for protocol-scale runs, never for anything that
   * measures what forgery can do (docs/simulation.md, "Cheap crypto").
   */
  crypto?: CryptoMode;
  /**
   * Every node's peer table limits (DaveOptions.peerLimits). Default the
   * node's (2048 peers).
   */
  peerLimits?: DaveOptions['peerLimits'];
}

/** Which crypto the nodes of a simulation use (SimulationOptions.crypto). */
export type CryptoMode = 'real' | 'cheap';

export interface AddNodeOptions {
  /** Default 'honest'. */
  role?: Role;
  /**
   * Bootstrap nodes, or addresses ("ip:port", a ticket) of hosts that are
   * not simulation nodes (a scripted peer). Default: the first node added
   * (none for the first).
   */
  edges?: (SimNode | string)[];
  /** This node's clock reads this many ms ahead (negative: behind). Default 0. */
  skewMs?: number;
  /** Store capacity in bytes. Default 64 MiB. */
  capacity?: number;
  /** This node's crypto, overriding the simulation's (a real node among cheap ones rejects them all). */
  crypto?: CryptoMode;
  /**
   * More DaveOptions for this node (for example maxGetAnswersPerPing);
   * `timings` are merged over the simulation's. The simulation's own
   * (listen, sockets, clock, random, key, store, ...) cannot be replaced.
   */
  dave?: Omit<DaveOptions, 'listen' | 'sockets' | 'clock' | 'random' | 'privateKey' | 'store' | 'database' | 'edges' | 'capacity'>;
}

export interface SimNode {
  readonly index: number;
  readonly ip: string;
  /** "10.0.1.1:1618" */
  readonly address: string;
  readonly role: Role;
  readonly crypto: CryptoMode;
  readonly dave: Dave;
  /** The node's own store (for a freeloader or liar: the one behind its misbehaving wrapper). */
  readonly store: Store;
}

export class Simulation {
  readonly clock = new VirtualClock();
  readonly rng: Rng;
  readonly net: SimNetwork;
  readonly nodes: SimNode[] = [];
  private readonly timings: Partial<Timings>;
  private readonly trust: DaveOptions['trust'];
  private readonly peerLimits: DaveOptions['peerLimits'];
  /** The nodes' crypto (SimulationOptions.crypto); records made by record() use it too. */
  readonly crypto: CryptoMode;
  private hosts = 0;
  private readonly flooders: Flooder[] = [];
  /** Real ms spent inside run()/drive(). */
  realMs = 0;

  constructor(options: SimulationOptions = {}) {
    this.rng = new Rng(options.seed ?? 1);
    this.net = new SimNetwork(this.clock, this.rng.fork('net'), options.link, options.keepTrace ?? false);
    this.timings = options.timings ?? {};
    this.trust = options.trust;
    this.peerLimits = options.peerLimits;
    this.crypto = options.crypto ?? 'real';
    if (this.crypto !== 'real' && this.crypto !== 'cheap') throw new DaveError('ERR_INVALID_ARGUMENT', `crypto must be 'real' or 'cheap', got ${String(this.crypto)}`);
  }

  /** Virtual ms since the start. */
  get elapsed(): number {
    return this.clock.elapsed;
  }

  /** Nodes still running. */
  get live(): SimNode[] {
    return this.nodes.filter((n) => !closed.has(n));
  }

  /** Each host in a /24 of its own (10.x.y.1), so the peer table's per-prefix cap (docs/protocol.md §7) sees distinct networks. */
  private nextIp(): string {
    const i = ++this.hosts;
    return `10.${(i >> 8) & 255}.${i & 255}.1`;
  }

  /** Opens a node on a new host. */
  async addNode(options: AddNodeOptions = {}): Promise<SimNode> {
    const index = this.nodes.length;
    const ip = this.nextIp();
    const rng = this.rng.fork(`node${index}`);
    const privateKey = rng.bytes(32);
    const role = options.role ?? 'honest';
    const clock = options.skewMs ? this.clock.skewed(options.skewMs) : this.clock;
    const edges = options.edges ?? (this.nodes.length > 0 ? [this.nodes[0]!] : []);
    const capacity = options.capacity ?? 64 << 20;
    const inner = await Store.open({ nodeId: nodeId(signingKey(privateKey).publicKey), capacity, sync: false, now: () => clock.now() });
    const store =
      role === 'honest' ? inner : role === 'freeloader' ? freeloaderStore(inner) : liarStore(inner, rng.fork('lies'), () => clock.now());
    const crypto = options.crypto ?? this.crypto;
    const dave = await Dave.open({
      logger: silentLogger, // churn silences edges on purpose: no warnings on stderr
      ...(this.trust === undefined ? {} : { trust: this.trust }),
      ...(this.peerLimits === undefined ? {} : { peerLimits: this.peerLimits }),
      ...options.dave,
      listen: `${ip}:1618`,
      sockets: this.net.host(ip),
      clock,
      random: (n) => rng.bytes(n),
      privateKey,
      edges: edges.map((e) => (typeof e === 'string' ? e : e.address)),
      timings: { ...this.timings, ...options.dave?.timings },
      verifyWorkers: 0,
      capacity,
      sync: false,
      store,
      ...(crypto === 'cheap' ? { [CRYPTO_SEAM]: cheapCrypto } : {}),
    } as DaveOptions).catch(async (err: unknown) => {
      await inner.close(); // a refused option: the store opened for it goes too
      throw err;
    });
    const node: SimNode = { index, ip, address: `${ip}:1618`, role, crypto, dave, store: inner };
    this.nodes.push(node);
    return node;
  }

  /** Closes a node (it leaves the network; its host address is not reused). */
  async removeNode(node: SimNode): Promise<void> {
    if (closed.has(node)) return;
    closed.add(node);
    await node.dave.close();
    await node.store.close();
  }

  /** Starts a host that sends `perSecond` malformed datagrams to random live nodes. */
  async addFlooder(perSecond: number): Promise<Flooder> {
    const f = new Flooder(this.net, this.nextIp(), this.rng.fork(`flooder${this.flooders.length}`));
    this.flooders.push(f);
    await f.start(() => this.live.map((n) => addrPort(n.ip, 1618)), perSecond);
    return f;
  }

  /** Cuts the network into groups of nodes (the rest form one more group). */
  partition(...groups: SimNode[][]): void {
    this.net.partition(groups.map((g) => g.map((n) => n.ip)));
  }

  heal(): void {
    this.net.heal();
  }

  /** Advances virtual time by `ms`, running everything due. */
  async run(ms: number): Promise<void> {
    const t0 = performance.now();
    await this.clock.runUntil(this.clock.time + ms);
    this.realMs += performance.now() - t0;
  }

  /** Advances virtual time until `p` settles (at most `maxMs`), and returns its outcome. */
  async drive<T>(p: Promise<T>, maxMs = 60_000): Promise<T> {
    let done = false;
    const watched = p.finally(() => (done = true));
    watched.catch(() => {});
    const t0 = performance.now();
    await this.clock.runUntil(this.clock.time + maxMs, () => done);
    this.realMs += performance.now() - t0;
    if (!done) throw new Error(`simulation: still pending after ${maxMs} virtual ms`);
    return watched;
  }

  /**
   * A record timed on the virtual clock: signed, with real proof of work,
   * or in cheap mode (`crypto`, default the simulation's) with the
   * stand-in's signature and work, of the same sizes.
   */
  async record(owner: Uint8Array, key: string, value: string, crypto: CryptoMode = this.crypto): Promise<Dat> {
    const time = this.clock.now();
    if (crypto === 'real') return createDat({ key, value, privateKey: owner, time });
    // createDat checks the sizes; difficulty 0 costs one hash, then the stand-in replaces signature and work
    const made = await createDat({ key, value, privateKey: owner, time, difficulty: 0 });
    const sig = cheapCrypto.sign(cachedSigningKey(owner), datSigningHash(made.key, made.value, time));
    return { ...made, sig, ...cheapWork(sig) };
  }

  /** Live honest nodes whose own store holds the record. */
  async holders(dat: Dat): Promise<SimNode[]> {
    const out: SimNode[] = [];
    for (const n of this.live) if (n.role === 'honest' && (await n.store.get(dat.pubKey, dat.key)) !== undefined) out.push(n);
    return out;
  }

  /** Virtual seconds per real second so far. */
  speed(): number {
    return this.realMs > 0 ? this.elapsed / this.realMs : Infinity;
  }

  async close(): Promise<void> {
    for (const f of this.flooders) f.stop();
    await Promise.all(this.nodes.map((n) => this.removeNode(n)));
  }
}

const closed = new WeakSet<SimNode>();
