/**
 * Server-Sent Events streams (text/event-stream) for GET /events: the
 * framing, a cap on concurrent streams, and no per-client queue. Each
 * event is written straight to the response; a client that does not read
 * shows as bytes waiting in its response (writableLength), and once those
 * pass `maxBuffered` the stream is destroyed, so one slow reader costs at
 * most about `maxBuffered` bytes and never slows the others.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './http.js';

export interface SseOptions {
  /** Most streams open at once; one more is answered 503. Default 16. */
  maxStreams?: number;
  /** Bytes a client may leave unread before its stream is dropped. Default 256 KiB. */
  maxBuffered?: number;
  /** The client's reconnect delay (the `retry:` field), ms. Default 2000. */
  retryMs?: number;
}

export const SSE_DEFAULTS = Object.freeze({ maxStreams: 16, maxBuffered: 256 * 1024, retryMs: 2000 });

const EVENT_NAME = /^[a-z][a-z-]{0,31}$/;

/**
 * One event as SSE bytes: `event: NAME`, one `data:` line of JSON, a blank
 * line. JSON.stringify never emits a raw line break, so one line holds it.
 * @throws TypeError for an event name outside [a-z-]
 */
export function sseFrame(event: string, data: unknown): string {
  if (!EVENT_NAME.test(event)) throw new TypeError(`bad event name ${JSON.stringify(event)}`);
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseStreams {
  private readonly streams = new Set<ServerResponse>();
  private readonly o: Required<SseOptions>;
  private closed = false;
  /** Streams dropped for leaving too much unread. */
  dropped = 0;

  constructor(options: SseOptions = {}) {
    this.o = { ...SSE_DEFAULTS, ...options };
  }

  /** Open streams. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Turns `res` into an event stream and writes `first` (frames) to it.
   * @throws ApiError 503 ERR_TOO_MANY_STREAMS at the cap, ERR_CLOSED once closed
   */
  open(req: IncomingMessage, res: ServerResponse, first: string): void {
    if (this.closed) throw new ApiError(503, 'ERR_CLOSED', 'the server is closing');
    if (this.streams.size >= this.o.maxStreams) {
      res.setHeader('retry-after', '10');
      throw new ApiError(503, 'ERR_TOO_MANY_STREAMS', `${this.o.maxStreams} event streams are open already; close one (another tab?) and retry`);
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end(); // the headers only: no stream is held open for a HEAD
      return;
    }
    res.socket?.setNoDelay(true);
    this.streams.add(res);
    const done = () => this.streams.delete(res);
    res.on('close', done);
    req.on('close', done);
    this.write(res, `retry: ${this.o.retryMs}\n\n` + first);
  }

  /** Sends one event to every stream. */
  broadcast(event: string, data: unknown): void {
    if (this.streams.size === 0) return;
    const frame = sseFrame(event, data);
    for (const res of [...this.streams]) this.write(res, frame);
  }

  private write(res: ServerResponse, frame: string): void {
    if (res.destroyed || res.writableEnded) {
      this.streams.delete(res);
      return;
    }
    if (res.writableLength > this.o.maxBuffered) {
      this.dropped++;
      this.streams.delete(res);
      res.destroy();
      return;
    }
    res.write(frame);
  }

  /** Ends every stream and refuses new ones; safe to call twice. */
  close(): void {
    this.closed = true;
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}
