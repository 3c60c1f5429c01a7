/**
 * The HTTP API server (node:http): routes in routes.ts, access in auth.ts,
 * metrics in metrics.ts. It answers every bad request with a 4xx JSON
 * error and never lets a handler's failure reach the process.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, isSilent } from '../node/options.js';
import { Auth, isLoopbackHost } from './auth.js';
import { ApiError, sendError } from './http.js';
import { isDaveError } from '../errors.js';
import type { LocalClient } from './local.js';
import type { Metrics } from './metrics.js';
import { type RouteContext, match } from './routes.js';
import { type ApiLimits, apiLimits, applyLimits, serverOptions } from './limits.js';
import { type WebContext, createWeb } from './web.js';
import type { EventHubOptions } from './events.js';
import { type HostRule, checkRequest } from './guard.js';
import { InFlight, MAX_BACKUPS, MAX_LISTINGS } from './limit.js';
import { listenSocket } from './socket.js';

export interface ApiServerOptions {
  client: LocalClient;
  metrics: Metrics;
  /** Host (IP literal or "localhost") and port; port 0 picks one. */
  host: string;
  port: number;
  token: string;
  /** Host names (besides loopback and the bound address) a request may name (--api-host). */
  hosts?: readonly string[];
  /**
   * Also serve the API on this Unix socket, 0600: requests over it come
   * from the same user and need no token (socket.ts). Default: none.
   */
  socketPath?: string;
  logger?: Logger;
  /** Connection cap and deadlines (limits.ts); defaults protect the node's file descriptors. */
  limits?: Partial<ApiLimits>;
  /** GET /events: sampling period, stream cap, buffer bound (events.ts, sse.ts). */
  events?: EventHubOptions;
}

export class ApiServer {
  private constructor(
    private readonly server: Server,
    /** "http://127.0.0.1:8080" */
    readonly url: string,
    private readonly web: WebContext,
    private readonly socket: Server | null,
    /** The Unix socket's path, when it is served. */
    readonly socketPath: string | null,
  ) {}

  /**
   * Listens. Rejects with the OS error (EADDRINUSE, EADDRNOTAVAIL...).
   */
  static async listen(o: ApiServerOptions): Promise<ApiServer> {
    const web = createWeb(o.client, o.metrics, o.events);
    const limits = apiLimits(o.limits);
    const ctx: RouteContext = {
      client: o.client,
      metrics: o.metrics,
      auth: new Auth(o.token, isLoopbackHost(o.host)),
      listings: new InFlight('listings', MAX_LISTINGS),
      backups: new InFlight('backups', MAX_BACKUPS),
      web,
    };
    const rule: HostRule = { bound: o.host, names: o.hosts };
    const debug = o.logger && !isSilent(o.logger.debug) ? o.logger.debug : null;
    const handle = (req: IncomingMessage, res: ServerResponse, local: boolean) => {
      if (debug) {
        // one line per request, with its status and time (--log-level debug)
        const started = performance.now();
        res.once('finish', () => debug(`dave: api ${req.method} ${(req.url ?? '/').split('?')[0]} ${res.statusCode} ${(performance.now() - started).toFixed(1)} ms`));
      }
      const fail = (err: unknown) => {
        if (!(err instanceof ApiError) && !isDaveError(err)) o.logger?.warn('dave: api handler failed', err);
        sendError(res, err);
      };
      try {
        checkRequest(req, rule, local); // every route, before routing (guard.ts)
        const url = new URL(req.url ?? '/', 'http://x');
        const { route, params } = match(req.method ?? 'GET', url.pathname);
        if (!local && route.asset !== true) ctx.auth.check(req, route.signsWithNodeKey === true);
        route.handler(ctx, req, res, params, url.searchParams).catch(fail);
      } catch (err) {
        fail(err);
      }
    };
    const server = createServer(serverOptions(limits), (req, res) => handle(req, res, false));
    server.on('clientError', (_err, socket) => socket.destroy());
    applyLimits(server, limits);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: o.host, port: o.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    let socket: Server | null = null;
    if (o.socketPath !== undefined) {
      try {
        socket = await listenSocket(o.socketPath, (req, res) => handle(req, res, true), limits);
      } catch (err) {
        server.close();
        server.closeAllConnections();
        throw err;
      }
    }
    web.events.start();
    return new ApiServer(server, `http://${host}:${a.port}`, web, socket, socket ? o.socketPath! : null);
  }

  /** Connections open now on the TCP listener, or on the Unix socket (each at most limits.maxConnections). */
  connections(on: 'tcp' | 'socket' = 'tcp'): Promise<number> {
    const s = on === 'tcp' ? this.server : this.socket;
    if (s === null) return Promise.resolve(0);
    return new Promise((resolve, reject) => s.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  }

  /** Stops accepting, ends open connections (the socket's file is removed); safe to call twice. */
  async close(): Promise<void> {
    this.web.events.close();
    await Promise.all([this.server, this.socket].map(closeServer));
  }
}

function closeServer(server: Server | null): Promise<void> {
  return new Promise((resolve) => {
    if (!server?.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
