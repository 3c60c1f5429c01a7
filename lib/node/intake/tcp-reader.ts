/**
 * The TCP reader, docs/protocol.md §10: frames of u16 length + message; PUTs are
 * handed to the node, other valid messages ignored. A frame over the
 * maximum, a message that does not decode, or no PUT frame within the
 * read deadline ends the connection (other messages do not reset the
 * deadline, so they cannot keep a connection open). Backpressure: while too many records
 * from this connection await verification and storage, reading pauses
 * (and the deadline with it).
 *
 * InboundConnections admits inbound connections under a cap in all and
 * per host, and reads each one with readConnection. At a cap, the
 * connection that has delivered nothing new (no record or replica list
 * the store took) for the longest, and for at least IDLE_GRACE_MS, is
 * closed to make room (docs/protocol.md §10): connections that only send
 * duplicates, or nothing, cannot hold the slots against real writers. A
 * PUT's replica list is taken only from a host with a proven peer
 * (Intake.accept's fromProven).
 */
import type { Duplex } from 'node:stream';
import { OP } from '../../constants.js';
import type { AddrPort } from '../../wire/address.js';
import { FrameDecoder } from '../../wire/frame.js';
import { decodeMessage } from '../../wire/message.js';
import { EntryBatch } from '../../records/entry-batch.js';
import { type NetKey, hostKey } from '../../peers/address.js';
import type { NodeServices } from '../services/services.js';
import { opName } from '../services/stats.js';

/** Most inbound TCP connections at once (with PAUSE_AT records each in flight: ~50 MB at worst). */
const MAX_INBOUND = 128;
const PAUSE_AT = 256;
const RESUME_AT = 64;
/** Most records in one batch (node/intake/intake-batch.ts); the reads of one turn share a batch up to this. */
const MAX_BATCH = 256;
/** A connection is safe from eviction for this long after it was accepted or last delivered something new, ms. */
export const IDLE_GRACE_MS = 1_000;

/** What a connection's reader takes from the services. */
export type ReaderServices = Pick<NodeServices, 'timers' | 'timings' | 'counters'> & { readonly intake: Pick<NodeServices['intake'], 'acceptBatch'> };

/** What InboundConnections takes from the services besides what a reader takes. */
export type InboundServices = ReaderServices & Pick<NodeServices, 'closing' | 'now' | 'table'>;

export function readConnection(stream: Duplex, s: ReaderServices): void {
  const c = s.counters;
  const decoder = new FrameDecoder();
  let inFlight = 0;
  let paused = false;
  let timer: unknown = null;
  let done = false;

  const arm = () => {
    if (timer !== null) s.timers.clear(timer);
    timer = paused || done ? null : s.timers.timeout(() => drop(), s.timings.frameTimeoutMs);
  };
  const drop = () => {
    if (done) return;
    c.tcpDropped++;
    finish();
    stream.destroy();
  };
  const finish = () => {
    done = true;
    if (timer !== null) s.timers.clear(timer);
    timer = null;
  };

  // The PUTs of the reads of one event-loop turn go on as one batch (at
  // most MAX_BATCH records): each record is its frame's Entry bytes (a view
  // of the frame, which is a copy of its own), checked in place, never
  // decoded into objects (docs/node.md, "The batch path").
  let open: EntryBatch | null = null;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = open;
    open = null;
    if (batch !== null) submit(batch);
  };
  const submit = (batch: EntryBatch) => {
    if (batch === open) open = null;
    if (batch.count === 0) return;
    const n = batch.count;
    void s.intake.acceptBatch(batch).finally(() => {
      inFlight -= n;
      if (paused && inFlight <= RESUME_AT && !done) {
        paused = false;
        stream.resume();
        arm();
      }
    });
  };

  stream.on('data', (chunk: Uint8Array) => {
    if (done) return;
    let frames: Uint8Array[];
    let puts = 0;
    try {
      frames = decoder.push(chunk);
    } catch {
      c.malformed++;
      return drop();
    }
    for (const frame of frames) {
      const op = frame[0]!;
      if (op === OP.PUT) {
        // a PUT is op, u16 entry length, the Entry (docs/protocol.md §6), as decodeMessage reads it
        const batch: EntryBatch = (open ??= new EntryBatch());
        const ok = frame.length >= 3 && (frame[1]! | (frame[2]! << 8)) + 3 === frame.length && batch.add(frame.subarray(3));
        if (!ok) {
          c.malformed++;
          flush();
          return drop();
        }
        c.packetsIn.PUT++;
        puts++;
        inFlight++;
        if (batch.count >= MAX_BATCH) submit(batch);
        continue;
      }
      try {
        decodeMessage(frame);
      } catch {
        c.malformed++;
        flush();
        return drop();
      }
      c.packetsIn[opName(op)!]++; // ignored, and does not keep the connection alive
    }
    if (open !== null && !scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    if (inFlight >= PAUSE_AT && !paused) {
      paused = true;
      stream.pause();
    }
    // only a PUT resets the deadline: other messages are ignored (docs/protocol.md §10)
    if (puts > 0 || timer === null) arm();
  });
  stream.on('error', () => {});
  stream.once('close', finish);
  stream.once('end', finish);
  arm();
}

interface Inbound {
  stream: Duplex;
  host: NetKey;
  /** When it was accepted or last delivered something new, ms. */
  lastUseful: number;
}

/** The inbound TCP connections of a node, capped in all and per host; at a cap the idlest makes room. */
export class InboundConnections {
  private readonly open = new Map<Duplex, Inbound>();
  /** Inbound TCP connections per host (hostKey: IPv4 address or IPv6 /64). */
  private readonly perHost = new Map<NetKey, number>();

  constructor(
    private readonly s: InboundServices,
    private readonly maxPerHost: number,
    private readonly maxInbound = MAX_INBOUND,
  ) {}

  /** Open connections. */
  get size(): number {
    return this.open.size;
  }

  /**
   * Admits and reads `stream`, or destroys it when the node is closing or
   * a cap is reached and no open connection (of that host, for the
   * per-host cap) has been idle for IDLE_GRACE_MS.
   */
  accept(stream: Duplex, remote: AddrPort): void {
    // per-host cap first, so one host cannot take every slot (loopback included: no exemptions)
    const host = hostKey(remote.ip);
    if (this.s.closing()) return void stream.destroy();
    if ((this.perHost.get(host) ?? 0) >= this.maxPerHost && !this.closeIdlest(host)) return void stream.destroy();
    if (this.open.size >= this.maxInbound && !this.closeIdlest(null)) return void stream.destroy();
    this.s.counters.tcpAccepted++;
    const conn: Inbound = { stream, host, lastUseful: this.s.now() };
    this.open.set(stream, conn);
    this.perHost.set(host, (this.perHost.get(host) ?? 0) + 1);
    stream.once('close', () => this.forget(conn));
    const { intake, table } = this.s;
    readConnection(stream, {
      ...this.s,
      intake: {
        acceptBatch: async (batch) => {
          // a replica list only from a host with a proven peer (docs/protocol.md §10)
          const stored = await intake.acceptBatch(batch, { fromProven: table.hasProvenHost(remote.ip) });
          if (stored > 0) conn.lastUseful = this.s.now();
          return stored;
        },
      },
    });
  }

  private forget(conn: Inbound): void {
    if (this.open.get(conn.stream) !== conn) return;
    this.open.delete(conn.stream);
    const n = (this.perHost.get(conn.host) ?? 1) - 1;
    if (n <= 0) this.perHost.delete(conn.host);
    else this.perHost.set(conn.host, n);
  }

  /** Closes the connection (of `host`, or any) idle the longest, if idle for IDLE_GRACE_MS; false when none is. */
  private closeIdlest(host: NetKey | null): boolean {
    const before = this.s.now() - IDLE_GRACE_MS;
    let idlest: Inbound | null = null;
    for (const c of this.open.values()) {
      if ((host === null || c.host === host) && c.lastUseful <= before && (idlest === null || c.lastUseful < idlest.lastUseful)) idlest = c;
    }
    if (idlest === null) return false;
    this.s.counters.tcpIdleClosed++;
    this.forget(idlest);
    idlest.stream.destroy();
    return true;
  }

  /** Destroys every open connection. */
  destroyAll(): void {
    for (const s of this.open.keys()) s.destroy();
    this.open.clear();
  }
}
