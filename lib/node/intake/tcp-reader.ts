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
import type { Entry } from '../../wire/entry.js';
import { hostKey } from '../../peers/address.js';
import type { NodeContext } from '../services/context.js';
import { opName } from '../services/stats.js';
import type { Timers } from '../services/timers.js';

/** Most inbound TCP connections at once (with PAUSE_AT records each in flight: ~50 MB at worst). */
const MAX_INBOUND = 128;
const PAUSE_AT = 256;
const RESUME_AT = 64;

export interface IngestHost {
  /** Verifies and stores; never rejects. */
  ingest(entry: Entry): Promise<void>;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(h: unknown): void;
  frameTimeoutMs: number;
  /** A frame arrived (op) / was malformed / the connection was dropped. */
  onFrame(op: number): void;
  onMalformed(): void;
  onDropped(): void;
}

export function readConnection(stream: Duplex, host: IngestHost): void {
  const decoder = new FrameDecoder();
  let inFlight = 0;
  let paused = false;
  let timer: unknown = null;
  let done = false;

  const arm = () => {
    if (timer !== null) host.clearTimer(timer);
    timer = paused || done ? null : host.setTimer(() => drop(), host.frameTimeoutMs);
  };
  const drop = () => {
    if (done) return;
    host.onDropped();
    finish();
    stream.destroy();
  };
  const finish = () => {
    done = true;
    if (timer !== null) host.clearTimer(timer);
    timer = null;
  };

  stream.on('data', (chunk: Uint8Array) => {
    if (done) return;
    let frames: Uint8Array[];
    let puts = 0;
    try {
      frames = decoder.push(chunk);
    } catch {
      host.onMalformed();
      return drop();
    }
    for (const frame of frames) {
      let msg;
      try {
        msg = decodeMessage(frame);
      } catch {
        host.onMalformed();
        return drop();
      }
      host.onFrame(msg.op);
      if (msg.op !== OP.PUT) continue; // ignored, and does not keep the connection alive
      puts++;
      inFlight++;
      void host.ingest(msg.entry).finally(() => {
        inFlight--;
        if (paused && inFlight <= RESUME_AT && !done) {
          paused = false;
          stream.resume();
          arm();
        }
      });
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

/** What InboundConnections needs from the node beyond what a reader needs. */
export interface InboundHost extends IngestHost {
  /** True once the node began closing: new connections are refused. */
  closing(): boolean;
  /** A connection was admitted. */
  onAccepted(): void;
}

/** The inbound TCP connections of a node, capped in all and per host. */
export class InboundConnections {
  private readonly open = new Set<Duplex>();
  /** Inbound TCP connections per host (hostKey: IPv4 address or IPv6 /64). */
  private readonly perHost = new Map<string, number>();

  constructor(
    private readonly maxPerHost: number,
    private readonly host: InboundHost,
  ) {}

  /** Admits and reads `stream`, or destroys it when a cap is reached or the node is closing. */
  accept(stream: Duplex, remote: AddrPort): void {
    // per-host cap first, so one host cannot take every slot (loopback included: no exemptions)
    const host = hostKey(remote.ip);
    const fromHost = this.perHost.get(host) ?? 0;
    if (this.host.closing() || this.open.size >= MAX_INBOUND || fromHost >= this.maxPerHost) {
      stream.destroy();
      return;
    }
    this.host.onAccepted();
    this.open.add(stream);
    this.perHost.set(host, fromHost + 1);
    stream.once('close', () => {
      this.open.delete(stream);
      const n = (this.perHost.get(host) ?? 1) - 1;
      if (n <= 0) this.perHost.delete(host);
      else this.perHost.set(host, n);
    });
    readConnection(stream, this.host);
  }

  /** Destroys every open connection. */
  destroyAll(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }
}

/** A node's inbound connections: frames counted in `ctx`, deadlines on `timers`, PUTs to `ingest`. */
export function inboundConnections(
  ctx: NodeContext,
  timers: Pick<Timers, 'timeout' | 'clear'>,
  ingest: (entry: Entry) => Promise<void>,
  maxPerHost: number,
): InboundConnections {
  const c = ctx.counters;
  return new InboundConnections(maxPerHost, {
    closing: ctx.closing,
    onAccepted: () => c.tcpAccepted++,
    ingest,
    setTimer: (fn, ms) => timers.timeout(fn, ms),
    clearTimer: (h) => timers.clear(h),
    frameTimeoutMs: ctx.timings.frameTimeoutMs,
    onFrame: (op) => c.packetsIn[opName(op)!]++,
    onMalformed: () => c.malformed++,
    onDropped: () => c.tcpDropped++,
  });
}
