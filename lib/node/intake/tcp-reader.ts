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
 * per host, and reads each one with readConnection.
 */
import type { Duplex } from 'node:stream';
import { OP } from '../../constants.js';
import type { AddrPort } from '../../wire/address.js';
import { FrameDecoder } from '../../wire/frame.js';
import { decodeMessage } from '../../wire/message.js';
import { EntryBatch } from '../../records/entry-batch.js';
import { hostKey } from '../../peers/address.js';
import type { NodeServices } from '../services/services.js';
import { opName } from '../services/stats.js';

/** Most inbound TCP connections at once (with PAUSE_AT records each in flight: ~50 MB at worst). */
const MAX_INBOUND = 128;
const PAUSE_AT = 256;
const RESUME_AT = 64;
/** Most records in one batch (node/intake/intake-batch.ts); the reads of one turn share a batch up to this. */
const MAX_BATCH = 256;

/** What a connection's reader takes from the services. */
export type ReaderServices = Pick<NodeServices, 'intake' | 'timers' | 'timings' | 'counters'>;

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

/** The inbound TCP connections of a node, capped in all and per host. */
export class InboundConnections {
  private readonly open = new Set<Duplex>();
  /** Inbound TCP connections per host (hostKey: IPv4 address or IPv6 /64). */
  private readonly perHost = new Map<string, number>();

  constructor(
    private readonly s: ReaderServices & Pick<NodeServices, 'closing'>,
    private readonly maxPerHost: number,
  ) {}

  /** Admits and reads `stream`, or destroys it when a cap is reached or the node is closing. */
  accept(stream: Duplex, remote: AddrPort): void {
    // per-host cap first, so one host cannot take every slot (loopback included: no exemptions)
    const host = hostKey(remote.ip);
    const fromHost = this.perHost.get(host) ?? 0;
    if (this.s.closing() || this.open.size >= MAX_INBOUND || fromHost >= this.maxPerHost) {
      stream.destroy();
      return;
    }
    this.s.counters.tcpAccepted++;
    this.open.add(stream);
    this.perHost.set(host, fromHost + 1);
    stream.once('close', () => {
      this.open.delete(stream);
      const n = (this.perHost.get(host) ?? 1) - 1;
      if (n <= 0) this.perHost.delete(host);
      else this.perHost.set(host, n);
    });
    readConnection(stream, this.s);
  }

  /** Destroys every open connection. */
  destroyAll(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }
}
