/**
 * The batch writer, spec §10: records of one owner go to the FANOUT
 * replicas chosen when the writer is created, over one TCP connection per
 * remote replica, and into the local store. Every record is verified in
 * full (spec §4, on the node's verify pool) before it is stored or sent:
 * a node never holds, and never sends, a record it has not verified.
 *
 * Backpressure: write() resolves once the record is accepted into a
 * bounded pipeline (at most MAX_IN_FLIGHT records between write and socket)
 * and the sockets are below their high-water mark.
 */
import { OP } from '../constants.js';
import { DaveError } from '../errors.js';
import { equalBytes } from '../wire/bytes.js';
import type { Dat } from '../wire/dat.js';
import { encodeMessage } from '../wire/message.js';
import type { Entry } from '../wire/entry.js';
import type { AddrPort } from '../wire/address.js';
import { nodeId } from '../records/record.js';
import type { Peer } from '../peers/table.js';
import type { FrameSink } from './frame-sink.js';
import { ReplicaLink } from './replica-link.js';
import { chooseReplicas } from './replicate.js';

const MAX_IN_FLIGHT = 512;

/** What the writer needs from the node. */
export interface WriterHost {
  /** Verifies a record in full (spec §4); rejects with its DaveError. */
  verify(dat: Dat): Promise<void>;
  /** Stores locally; resolves when committed (refusals are counted, not thrown). */
  storeLocal(entry: Entry): Promise<unknown>;
  /** Counts a PUT frame sent. */
  sent(count: number): void;
  closeTimeoutMs: number;
}

export interface BatchWriter {
  /**
   * Queues a record of this writer's owner.
   * @throws DaveError ERR_INVALID_ARGUMENT (another owner), ERR_CLOSED (after close)
   */
  write(dat: Dat): Promise<void>;
  /**
   * Waits for every record, flushes and closes the connections.
   * @throws DaveError: the first record that failed verification (its
   *   code), or ERR_CONNECTION when a replica's connection failed
   */
  close(): Promise<void>;
  /** IDs of the replicas chosen (0n for empty slots). */
  readonly replicas: readonly bigint[];
}

/**
 * A writer for `owner`'s records: replicas are the FANOUT closest of
 * `selfId` and the active peers (`byId`, peers/table activeById); one
 * connection per remote replica, opened with `openSink`.
 */
export function openWriter(
  host: WriterHost,
  owner: Uint8Array,
  selfId: bigint,
  byId: Map<bigint, Peer>,
  openSink: (udpAddr: AddrPort) => Promise<FrameSink | Error>,
): Writer {
  const replicas = chooseReplicas(nodeId(owner), [selfId, ...byId.keys()]);
  const connectors = replicas
    .filter((r) => r !== 0n && r !== selfId && byId.has(r))
    .map((r) => {
      const addr = byId.get(r)!.addr;
      return () => openSink(addr);
    });
  return new Writer(host, Uint8Array.from(owner), replicas, connectors);
}

export class Writer implements BatchWriter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void) | null = null;
  private readonly localPuts = new Set<Promise<unknown>>();
  /** The first record that failed: its DaveError, or an unexpected error as it is. */
  private firstError: unknown = null;
  private closing: Promise<void> | null = null;

  private readonly links: ReplicaLink[];

  constructor(
    private readonly host: WriterHost,
    private readonly owner: Uint8Array,
    readonly replicas: readonly bigint[],
    /** One connector per remote replica. */
    connectors: (() => Promise<FrameSink | Error>)[],
  ) {
    this.links = connectors.map((connect) => new ReplicaLink(connect));
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
    for (const link of this.links) {
      const s = await link.current;
      if (!(s instanceof Error)) await s.ready();
    }
  }

  private async process(dat: Dat): Promise<void> {
    try {
      await this.host.verify(dat);
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
    const p = this.host.storeLocal(entry).finally(() => this.localPuts.delete(p));
    this.localPuts.add(p);
    let n = 0;
    for (const link of this.links) {
      const s = await link.sink();
      if (s === null) continue;
      s.push(msg);
      n++;
    }
    this.host.sent(n);
  }

  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((r) => (this.idle = r));
    const errors = await Promise.all(this.links.map((link) => link.end(this.host.closeTimeoutMs)));
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
  }
}

/** The WriterHost of a node: its intake verifies and stores, its counters count the PUTs. */
export function nodeWriterHost(
  intake: { verify(dat: Dat): Promise<void>; store(entry: Entry): Promise<unknown> },
  counters: { packetsOut: { PUT: number } },
  timings: { connectTimeoutMs: number; frameTimeoutMs: number },
): WriterHost {
  return {
    verify: (dat) => intake.verify(dat),
    storeLocal: (entry) => intake.store(entry),
    sent: (n) => (counters.packetsOut.PUT += n),
    closeTimeoutMs: timings.connectTimeoutMs + timings.frameTimeoutMs,
  };
}
