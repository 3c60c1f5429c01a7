/**
 * The batch writer, spec §10: records of one owner go to the FANOUT
 * replicas chosen when the writer is created, over one TCP connection per
 * remote replica, and into the local store. Every record is verified in
 * full (spec §4, on the node's verify pool) before it is stored or sent:
 * a node never holds, and never sends, a record it has not verified.
 *
 * Backpressure: write() resolves once the record is accepted into a
 * bounded pipeline (at most MAX_IN_FLIGHT records between write and socket,
 * or not yet committed to the local store) and the sockets are below their
 * high-water mark.
 */
import { OP } from '../constants.js';
import { DaveError, isDaveError } from '../errors.js';
import { equalBytes } from '../wire/bytes.js';
import type { Dat } from '../wire/dat.js';
import { encodeMessage } from '../wire/message.js';
import type { Entry } from '../wire/entry.js';
import type { FrameSink } from './frame-sink.js';

const MAX_IN_FLIGHT = 512;
const MAX_RECONNECTS = 100;

interface Slot {
  connect: () => Promise<FrameSink | Error>;
  current: Promise<FrameSink | Error>;
  reconnects: number;
  /** Why records stopped reaching this replica. */
  error: Error | null;
}

/** What the writer needs from the node. */
export interface WriterHost {
  /** Verifies a record in full (spec §4); rejects with its DaveError. */
  verify(dat: Dat): Promise<void>;
  /** Stores locally; resolves when committed (refusals are counted, not thrown). */
  storeLocal(entry: Entry): Promise<void>;
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

export class Writer implements BatchWriter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void) | null = null;
  private readonly localPuts = new Set<Promise<void>>();
  private firstError: DaveError | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly host: WriterHost,
    private readonly owner: Uint8Array,
    readonly replicas: readonly bigint[],
    private readonly storeLocally: boolean,
    /** One connector per remote replica. */
    connectors: (() => Promise<FrameSink | Error>)[],
  ) {
    this.slots = connectors.map((connect) => ({ connect, current: connect(), reconnects: 0, error: null }));
  }

  private readonly slots: Slot[];

  /**
   * The open sink of a slot. A replica ends an idle connection after its
   * read deadline (1 s in godave): then, and only then, we reconnect (at
   * most MAX_RECONNECTS times). Any other failure is final for the slot.
   */
  private async sink(slot: Slot): Promise<FrameSink | null> {
    for (;;) {
      const p = slot.current;
      const s = await p;
      if (!(s instanceof Error) && !s.failed) return s;
      if (s instanceof Error) {
        slot.error ??= s;
        return null;
      }
      if (s.error !== null || !s.closedByPeer || slot.reconnects >= MAX_RECONNECTS) {
        slot.error ??= s.error ?? new Error('the replica closed the connection');
        return null;
      }
      // another record may already have started the reconnect
      if (slot.current === p) {
        slot.reconnects++;
        slot.current = slot.connect();
      }
    }
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
    for (const slot of this.slots) {
      const s = await slot.current;
      if (!(s instanceof Error)) await s.ready();
    }
  }

  private async process(dat: Dat): Promise<void> {
    try {
      await this.host.verify(dat);
    } catch (err) {
      this.firstError ??= isDaveError(err) ? err : new DaveError('ERR_INVALID_ARGUMENT', String(err));
      return;
    }
    const entry: Entry = { dat, replicas: [...this.replicas] };
    let msg: Uint8Array;
    try {
      msg = encodeMessage({ op: OP.PUT, entry });
    } catch (err) {
      this.firstError ??= isDaveError(err) ? err : new DaveError('ERR_INVALID_ARGUMENT', String(err));
      return;
    }
    let local: Promise<void> | undefined;
    if (this.storeLocally) {
      const p = this.host.storeLocal(entry).finally(() => this.localPuts.delete(p));
      this.localPuts.add(p);
      local = p;
    }
    let n = 0;
    for (const slot of this.slots) {
      const s = await this.sink(slot);
      if (s === null) continue;
      s.push(msg);
      n++;
    }
    this.host.sent(n);
    // the local store counts in the pipeline's bound too: a writer faster than
    // its own store would otherwise queue every record there, and the batch
    // that commits them all would hold the event loop (and the sockets) for
    // longer than a replica's read deadline
    await local;
  }

  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((r) => (this.idle = r));
    await Promise.all(
      this.slots.map(async (slot) => {
        const s = await slot.current;
        if (s instanceof Error) return void (slot.error ??= s);
        await s.end(this.host.closeTimeoutMs);
        // (a replica closing an idle connection after everything was sent is fine: no error)
        if (s.error !== null) slot.error ??= s.error;
      }),
    );
    await Promise.all([...this.localPuts]);
    if (this.firstError) throw this.firstError;
    const failed = this.slots.map((s) => s.error).filter((e): e is Error => e !== null);
    if (failed.length > 0) {
      throw new DaveError(
        'ERR_CONNECTION',
        `${failed.length} of ${this.slots.length} replica connections failed: ${failed[0]!.message}`,
        { cause: failed[0] },
      );
    }
  }
}
