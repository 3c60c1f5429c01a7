/**
 * HttpClient: the NodeClient of a node reached over its HTTP API (the
 * one-shot commands and `dave shell --api URL`). Errors come back as
 * ApiCallError carrying the server's `{ code, message }`.
 */
import { Readable } from 'node:stream';
import type { Dat } from '../wire/dat.js';
import { datToJson } from './dat-json.js';
import type { NodeClient, PeerView, RecordPage, RecordView, StatusView, WrittenView } from './views.js';

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

export class HttpClient implements NodeClient {
  constructor(
    readonly url: string,
    private readonly token?: string,
    private readonly timeoutMs = 15_000,
  ) {}

  private async call(method: string, path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url.replace(/\/$/, '') + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new ApiCallError(0, 'ERR_CONNECTION', `cannot reach the API at ${this.url} (${cause}); is the node running with --api?`);
    }
    if (!res.ok) {
      let code = 'ERR_HTTP';
      let message = `HTTP ${res.status}`;
      try {
        const j = (await res.json()) as { code?: string; message?: string };
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
    return (await (await this.call(method, path, body)).json()) as T;
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

  /** Sends a record the caller signed. */
  write(dat: Dat): Promise<WrittenView> {
    return this.json('POST', '/dats', datToJson(dat));
  }

  /** GET /backup as a byte stream. */
  async backup(): Promise<Readable> {
    const res = await this.call('GET', '/backup', undefined, 0);
    return Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream<Uint8Array>);
  }
}
