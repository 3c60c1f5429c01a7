/**
 * A connection to one remote replica (docs/protocol.md §10 and §12), and the one
 * reconnect rule the batch writer and the replication pass share: a
 * replica ends an idle connection after its read deadline (1 s in godave);
 * then, and only then, we reconnect, at most MAX_RECONNECTS times. Any
 * other failure (connect error, reset, write error) is final for the link.
 */
import type { AddrPort } from '../../wire/address.js';
import type { TcpTransport } from '../../transport/types.js';
import { FrameSink } from './frame-sink.js';
import type { Clock, Timings } from '../options.js';

export const MAX_RECONNECTS = 100;

export class ReplicaLink {
  /** The latest connection attempt. */
  current: Promise<FrameSink | Error>;
  private reconnects = 0;
  /** Why records stopped reaching this replica, or null. */
  error: Error | null = null;

  constructor(
    private readonly connect: () => Promise<FrameSink | Error>,
    private readonly maxReconnects = MAX_RECONNECTS,
  ) {
    this.current = connect();
  }

  /** The open sink, reconnecting after an idle close; null once the link failed for good. */
  async sink(): Promise<FrameSink | null> {
    for (;;) {
      const p = this.current;
      const s = await p;
      if (!(s instanceof Error) && !s.failed) return s;
      if (s instanceof Error) {
        this.error ??= s;
        return null;
      }
      if (s.error !== null || !s.closedByPeer || this.reconnects >= this.maxReconnects) {
        this.error ??= s.error ?? new Error('the replica closed the connection');
        return null;
      }
      // another caller may already have started the reconnect
      if (this.current === p) {
        this.reconnects++;
        this.current = this.connect();
      }
    }
  }

  /**
   * Ends the current connection (waiting up to `timeoutMs` for the replica
   * to close) and returns the link's error, if any. A replica closing an
   * idle connection after everything was sent is no error.
   */
  async end(timeoutMs: number): Promise<Error | null> {
    const s = await this.current;
    if (s instanceof Error) return (this.error ??= s);
    await s.end(timeoutMs);
    if (s.error !== null) this.error ??= s.error;
    return this.error;
  }
}

/**
 * A frame sink to the TCP port (UDP port + 1) of a peer's UDP address, or
 * the error that prevented the connection. The connect deadline and the
 * sink's waits run on `clock`; the transport only obeys the abort signal.
 */
export function openSink(
  tcp: TcpTransport,
  udpAddr: AddrPort,
  t: Pick<Timings, 'connectTimeoutMs' | 'frameTimeoutMs'>,
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
): Promise<FrameSink | Error> {
  const to = { ip: udpAddr.ip, port: udpAddr.port + 1 };
  const deadline = new AbortController();
  const timer = clock.setTimeout(() => deadline.abort(), t.connectTimeoutMs);
  return tcp.connect(to, deadline.signal).then(
    (stream) => {
      clock.clearTimeout(timer);
      return new FrameSink(stream, t.connectTimeoutMs + t.frameTimeoutMs, clock);
    },
    (err: Error) => {
      clock.clearTimeout(timer);
      return err;
    },
  );
}
