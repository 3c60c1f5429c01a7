/**
 * HttpClient: the NodeClient of a node reached over its HTTP API (the
 * one-shot commands and `dave shell --api URL`). Errors come back as
 * ApiCallError carrying the server's `{ code, message }`.
 */
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { Dat } from '../wire/dat.js';
import { datToJson } from './dat-json.js';
import type { JoinView, NodeClient, PeerView, RecordPage, RecordView, StatusView, WrittenView } from './views.js';

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const enc = encodeURIComponent;

/** Where a client reaches the API: a URL, or the node's Unix socket (lib/api/socket.ts). */
export interface ApiTarget {
  /** "http://127.0.0.1:8080"; with `socketPath`, only named in messages. */
  url: string;
  /** The node's Unix socket: requests go there, with no token. */
  socketPath?: string;
}

interface Answer {
  status: number;
  body: IncomingMessage;
}

export class HttpClient implements NodeClient {
  readonly url: string;
  private readonly socketPath: string | undefined;

  constructor(
    target: string | ApiTarget,
    private readonly token?: string,
    private readonly timeoutMs = 15_000,
  ) {
    const t = typeof target === 'string' ? { url: target } : target;
    this.url = t.url;
    this.socketPath = t.socketPath;
  }

  /** Where requests go, for messages: the socket's path or the URL. */
  get where(): string {
    return this.socketPath ?? this.url;
  }

  private send(method: string, path: string, body: string | undefined, timeoutMs: number): Promise<Answer> {
    const headers: Record<string, string> = {};
    // Over the socket no token is sent: the socket's file mode is the access check.
    if (this.token && this.socketPath === undefined) headers.authorization = `Bearer ${this.token}`;
    if (method !== 'GET' && method !== 'HEAD') headers['content-type'] = 'application/json';
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const base = this.socketPath === undefined ? new URL(this.url) : new URL('http://localhost');
    const target = new URL(base.pathname.replace(/\/$/, '') + path, base);
    return new Promise((resolve, reject) => {
      const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
        this.socketPath === undefined
          ? { method, hostname: target.hostname.replace(/^\[|\]$/g, ''), port: target.port || (target.protocol === 'https:' ? 443 : 80), path: target.pathname + target.search, headers, signal }
          : { method, socketPath: this.socketPath, host: 'localhost', path: target.pathname + target.search, headers, signal },
        (res) => resolve({ status: res.statusCode ?? 0, body: res }),
      );
      req.once('error', reject);
      req.end(body);
    });
  }

  private async call(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<Answer> {
    let res: Answer;
    try {
      res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), timeoutMs);
    } catch (err) {
      const cause = (err as { code?: string }).code ?? (err as Error).name;
      // connected, then closed before an answer: a node at its connection cap or out of file descriptors does that
      const hint =
        cause === 'EPIPE' || cause === 'ECONNRESET'
          ? 'the node closed the connection at once: it may be at its connection limit or out of file descriptors (see its log), try again'
          : 'is the node running with --api?';
      throw new ApiCallError(0, 'ERR_CONNECTION', `cannot reach the API at ${this.where} (${cause}); ${hint}`);
    }
    if (res.status < 200 || res.status > 299) {
      let code = 'ERR_HTTP';
      let message = `HTTP ${res.status}`;
      try {
        const j = JSON.parse(await text(res.body)) as { code?: string; message?: string };
        code = j.code ?? code;
        message = j.message ?? message;
      } catch {
        // not our JSON error: keep the status line
      }
      throw new ApiCallError(res.status, code, message);
    }
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, path, body);
    try {
      return JSON.parse(await text(res.body)) as T;
    } catch (err) {
      throw new ApiCallError(res.status, 'ERR_HTTP', `the API at ${this.where} answered something that is not JSON (${(err as Error).message})`);
    }
  }

  status(): Promise<StatusView> {
    return this.json('GET', '/status');
  }

  async peers(): Promise<PeerView[]> {
    return (await this.json<{ peers: PeerView[] }>('GET', '/peers')).peers;
  }

  async get(owner: string, key: string): Promise<RecordView | null> {
    try {
      return await this.json<RecordView>('GET', `/records/${enc(owner)}/${enc(key)}`);
    } catch (err) {
      if (err instanceof ApiCallError && err.code === 'ERR_NOT_FOUND') return null;
      throw err;
    }
  }

  list(owner: string, o: { prefix?: string; after?: string; limit?: number } = {}): Promise<RecordPage> {
    const q = new URLSearchParams();
    if (o.prefix) q.set('prefix', o.prefix);
    if (o.after !== undefined) q.set('after', o.after);
    if (o.limit !== undefined) q.set('limit', String(o.limit));
    const qs = q.toString();
    return this.json('GET', `/records/${enc(owner)}${qs ? `?${qs}` : ''}`);
  }

  put(key: string, value: string): Promise<WrittenView> {
    return this.json('POST', '/records', { key, value });
  }

  del(key: string): Promise<WrittenView> {
    return this.json('DELETE', `/records/${enc(key)}`);
  }

  join(edge: string, save: boolean): Promise<JoinView> {
    return this.json('POST', '/edges', { edge, save });
  }

  /** Sends a record the caller signed. */
  write(dat: Dat): Promise<WrittenView> {
    return this.json('POST', '/dats', datToJson(dat));
  }

  /** GET /backup as a byte stream. */
  async backup(): Promise<Readable> {
    return (await this.call('GET', '/backup', undefined, 0)).body;
  }
}

/** A response body as text, at most 64 MiB. */
async function text(body: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024 * 1024) throw new Error('answer over 64 MiB');
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
