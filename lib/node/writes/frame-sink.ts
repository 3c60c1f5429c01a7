/**
 * Outgoing TCP frames on one connection, coalesced: frames queued in the
 * same event-loop turn go out in one write. `ready()` is the backpressure
 * point: it waits while the socket holds more than HIGH_WATER bytes, for
 * at most `stallTimeoutMs` (on the node's clock): a peer that accepts but never
 * reads then fails the connection with ERR_CONNECTION instead of holding
 * its writer forever.
 */
import type { Duplex } from 'node:stream';
import { DaveError } from '../../errors.js';
import { encodeFrame } from '../../wire/frame.js';
import type { Clock } from '../options.js';

/** The timers a sink needs: the node's clock. */
export type SinkTimers = Pick<Clock, 'setTimeout' | 'clearTimeout'>;

const HIGH_WATER = 256 * 1024;
const CHUNK = 64 * 1024;

export class FrameSink {
  /** The first error of the connection, if it failed. */
  error: Error | null = null;
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private scheduled = false;
  private ended = false;
  private readonly closed: Promise<void>;

  /** The other side ended the connection before we did (e.g. its read deadline). */
  closedByPeer = false;

  /** stallTimeoutMs: longest wait of ready() for the socket to drain; timers: the node's clock. */
  constructor(
    private readonly stream: Duplex,
    private readonly stallTimeoutMs: number,
    private readonly timers: SinkTimers,
  ) {
    this.closed = new Promise((resolve) => {
      stream.once('close', () => {
        if (!this.ended) this.closedByPeer = true;
        resolve();
      });
    });
    stream.once('end', () => {
      if (!this.ended) this.closedByPeer = true;
    });
    stream.on('error', (err) => {
      this.error ??= err;
    });
    // a reader that talks back is not speaking the protocol; ignore its bytes
    stream.on('data', () => {});
  }

  get failed(): boolean {
    return this.error !== null || this.stream.destroyed;
  }

  /** Queues one message (its u16 length prefix is added here). */
  push(message: Uint8Array): void {
    this.pushFrame(encodeFrame(message));
  }

  /** Queues bytes that are already one or more whole frames. */
  pushFrame(frame: Uint8Array): void {
    if (this.ended || this.failed) return;
    this.parts.push(frame);
    this.bytes += frame.length;
    if (this.bytes >= CHUNK) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.parts.length === 0 || this.failed) {
      if (this.parts.length > 0) this.error ??= new Error(`connection closed with ${this.bytes} bytes unsent`);
      this.parts = [];
      this.bytes = 0;
      return;
    }
    const chunk = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    this.stream.write(chunk);
  }

  /**
   * Resolves when the socket can take more, or has failed, or did not
   * drain within stallTimeoutMs (then the connection is destroyed and
   * `error` is ERR_CONNECTION). Never rejects.
   */
  ready(): Promise<void> {
    if (this.failed || this.stream.writableLength + this.bytes < HIGH_WATER) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.timers.clearTimeout(timer);
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      const timer = this.timers.setTimeout(() => {
        this.error ??= new DaveError('ERR_CONNECTION', `the peer did not read for ${this.stallTimeoutMs} ms`);
        this.destroy();
        done();
      }, this.stallTimeoutMs);
      this.stream.once('drain', done);
      this.stream.once('close', done);
    });
  }

  /** Flushes, half-closes, and waits for the connection to close. */
  async end(timeoutMs: number): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.flush();
      if (!this.failed) this.stream.end();
    }
    let timer: unknown;
    await Promise.race([
      this.closed,
      new Promise<void>((resolve) => {
        timer = this.timers.setTimeout(() => {
          this.error ??= new Error('connection did not close in time');
          this.stream.destroy();
          resolve();
        }, timeoutMs);
      }),
    ]);
    this.timers.clearTimeout(timer);
  }

  destroy(): void {
    this.ended = true;
    this.parts = [];
    this.stream.destroy();
  }
}
