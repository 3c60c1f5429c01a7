/**
 * The batch writer, docs/protocol.md §10: records of one owner go to the FANOUT
 * replicas chosen when the writer is created, over one TCP connection per
 * remote replica, and into the local store. Every record is verified in
 * full (docs/protocol.md §4, on the node's verify pool) before it is stored or sent:
 * a node never holds, and never sends, a record it has not verified.
 *
 * Backpressure: write() resolves once the record is accepted into a
 * bounded pipeline (at most MAX_IN_FLIGHT records between write and socket,
 * or not yet committed to the local store) and the sockets are below their
 * high-water mark.
 */
import { OP } from '../../constants.js';
import { DaveError } from '../../errors.js';
import { equalBytes } from '../../wire/bytes.js';
import type { Dat } from '../../wire/dat.js';
import { encodeMessage } from '../../wire/message.js';
import type { Entry } from '../../wire/entry.js';
import { nodeId } from '../../records/record.js';
import type { Peer } from '../../peers/table.js';
import type { FrameSink } from './frame-sink.js';
import type { NodeServices } from '../services/services.js';
import { ReplicaLink } from './replica-link.js';
import { chooseReplicas } from '../replication/rules.js';

const MAX_IN_FLIGHT = 512;

/**
 * Where the records of a write went. TCP PUTs have no acknowledgement: a
 * replica counted in `sentTo` was sent every record on a connection that
 * closed cleanly, which is not proof that it stored them.
 */
export interface WriteReport {
  /** Records committed to this node's store. */
  storedHere: number;
  /** Remote replicas the records were sent to (not counting substitutes). */
  sentTo: number;
}

/** What the writer takes from the services. */
export type WriterServices = Pick<NodeServices, 'id' | 'table' | 'intake' | 'counters' | 'timings' | 'trust' | 'openSink'>;

export interface BatchWriter {
  /**
   * Queues a record of this writer's owner.
   * @throws DaveError ERR_INVALID_ARGUMENT (another owner), ERR_CLOSED (after close)
   */
  write(dat: Dat): Promise<void>;
  /**
   * Waits for every record, flushes and closes the connections; resolves
   * to where the records went.
   * @throws DaveError: the first record that failed verification or that
   *   this node's store refused (its code: ERR_OLDER_THAN_STORED,
   *   ERR_DUPLICATE, ERR_PUBKEY_MISMATCH, ERR_INSUFFICIENT_PRIORITY,
   *   ERR_STORAGE_FULL, ERR_STORAGE_UNAVAILABLE), or ERR_CONNECTION when a
   *   replica's connection failed
   */
  close(): Promise<WriteReport>;
  /** IDs of the replicas chosen (0n for empty slots). */
  readonly replicas: readonly bigint[];
}

/**
 * A writer for `owner`'s records: replicas are the FANOUT closest of this
 * node and the active peers; one connection per remote replica. Trust's
 * substitutes (the next-closest reliable peers standing in for failing
 * replicas, docs/trust.md) get every record too, best effort: the entry's
 * replica list stays the XOR-closest one, and a substitute's failed
 * connection does not fail close().
 * @throws DaveError ERR_NO_ACTIVE_PEERS
 */
export function openWriter(s: WriterServices, owner: Uint8Array): Writer {
  const byId = s.table.activeById();
  if (byId.size === 0) throw new DaveError('ERR_NO_ACTIVE_PEERS', 'no active peers to write to');
  const selfId = s.id;
  const ownerId = nodeId(owner);
  const replicas = chooseReplicas(ownerId, [selfId, ...byId.keys()]);
  const target = (peer: Peer): Target => ({ peer, connect: () => s.openSink(peer.addr) });
  const remote = replicas.filter((r) => r !== 0n && r !== selfId && byId.has(r)).map((r) => target(byId.get(r)!));
  const extra = s.trust.substitutes(ownerId).filter((p) => p.id !== selfId && !replicas.includes(p.id)).map(target);
  return new Writer(s, Uint8Array.from(owner), replicas, remote, extra);
}

/** A peer the writer sends to, and how to connect to it. */
export interface Target {
  peer: Peer | null;
  connect: () => Promise<FrameSink | Error>;
}

export class Writer implements BatchWriter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void) | null = null;
  private readonly localPuts = new Set<Promise<unknown>>();
  /** The first record that failed: its DaveError, or an unexpected error as it is. */
  private firstError: unknown = null;
  private closing: Promise<WriteReport> | null = null;
  private storedHere = 0;
  /** Records pushed to each replica link. */
  private readonly pushed: number[];

  private readonly links: ReplicaLink[];
  /** Substitutes' links: best effort, their failures are not reported. */
  private readonly extraLinks: ReplicaLink[];
  private readonly peers: (Peer | null)[];

  constructor(
    private readonly s: Pick<WriterServices, 'intake' | 'counters' | 'timings' | 'trust'>,
    private readonly owner: Uint8Array,
    readonly replicas: readonly bigint[],
    /** One per remote replica. */
    targets: Target[],
    extra: Target[] = [],
  ) {
    this.links = targets.map((t) => new ReplicaLink(t.connect));
    this.extraLinks = extra.map((t) => new ReplicaLink(t.connect));
    this.peers = [...targets, ...extra].map((t) => t.peer);
    this.pushed = this.links.map(() => 0);
  }

  async write(dat: Dat): Promise<void> {
    if (this.closing) throw new DaveError('ERR_CLOSED', 'batch writer is closed');
    if (dat === null || typeof dat !== 'object' || !(dat.pubKey instanceof Uint8Array) || !equalBytes(dat.pubKey, this.owner)) {
      throw new DaveError('ERR_INVALID_ARGUMENT', "dat.pubKey must be the writer's public key");
    }
    while (this.inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    void this.process(dat).finally(() => {
      this.inFlight--;
      this.waiting.shift()?.();
      if (this.inFlight === 0) this.idle?.();
    });
    // the sockets' backpressure
    for (const link of [...this.links, ...this.extraLinks]) {
      const s = await link.current;
      if (!(s instanceof Error)) await s.ready();
    }
  }

  private async process(dat: Dat): Promise<void> {
    try {
      await this.s.intake.verify(dat);
    } catch (err) {
      this.firstError ??= err;
      return;
    }
    const entry: Entry = { dat, replicas: [...this.replicas] };
    let msg: Uint8Array;
    try {
      msg = encodeMessage({ op: OP.PUT, entry });
    } catch (err) {
      this.firstError ??= err;
      return;
    }
    const local = this.s.intake
      .accept(entry, { verified: true })
      .then((r) => {
        if (r.status === 'stored') this.storedHere++;
        else this.firstError ??= r.status === 'refused' ? new DaveError(r.code, `${r.message}: not stored on this node`) : r.error;
      })
      .finally(() => this.localPuts.delete(local));
    this.localPuts.add(local);
    let n = 0;
    const links = [...this.links, ...this.extraLinks];
    for (let i = 0; i < links.length; i++) {
      const s = await links[i]!.sink();
      if (s === null) continue;
      s.push(msg);
      n++;
      if (i < this.pushed.length) this.pushed[i]!++;
      const peer = this.peers[i];
      if (peer) this.s.trust.sentTo(peer, entry);
    }
    this.s.counters.packetsOut.PUT += n;
    // the local store counts in the pipeline's bound too: a writer faster than
    // its own store would otherwise queue every record there, and the batch
    // that commits them all would hold the event loop (and the sockets) for
    // longer than a replica's read deadline
    await local;
  }

  close(): Promise<WriteReport> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<WriteReport> {
    const t = this.s.timings;
    const closeTimeoutMs = t.connectTimeoutMs + t.frameTimeoutMs;
    if (this.inFlight > 0) await new Promise<void>((r) => (this.idle = r));
    const [errors] = await Promise.all([
      Promise.all(this.links.map((link) => link.end(closeTimeoutMs))),
      Promise.all(this.extraLinks.map((link) => link.end(closeTimeoutMs))),
    ]);
    await Promise.all([...this.localPuts]);
    if (this.firstError !== null) throw this.firstError;
    const failed = errors.filter((e): e is Error => e !== null);
    if (failed.length > 0) {
      throw new DaveError(
        'ERR_CONNECTION',
        `${failed.length} of ${this.links.length} replica connections failed: ${failed[0]!.message}`,
        { cause: failed[0] },
      );
    }
    return { storedHere: this.storedHere, sentTo: errors.filter((e, i) => e === null && this.pushed[i]! > 0).length };
  }
}
