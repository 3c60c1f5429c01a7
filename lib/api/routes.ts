/**
 * The API's routes: each a method, a path pattern and a handler over the
 * node's LocalClient. docs/api.md documents every one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DaveError } from '../errors.js';
import { backupRecord } from '../store/backup.js';
import { datFromJson } from './dat-json.js';
import { ApiError, readJson, sendJson } from './http.js';
import type { LocalClient } from './local.js';
import type { Metrics } from './metrics.js';
import { writtenView } from './views.js';
import type { Auth } from './auth.js';
import { WEB_ROUTES, type WebContext } from './web.js';
import type { InFlight } from './limit.js';

export interface RouteContext {
  client: LocalClient;
  metrics: Metrics;
  auth: Auth;
  /** The web page, GET /events and GET /owners (web.ts). */
  web: WebContext;
  /** Listings and backups in flight (limit.ts). */
  listings: InFlight;
  backups: InFlight;
}

type Handler = (ctx: RouteContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void>;

export interface Route {
  method: string;
  path: RegExp;
  /** A write the node signs with its own key: needs the token everywhere. */
  signsWithNodeKey?: boolean;
  /** A file of the web page (no node data): open without the token (web.ts). */
  asset?: boolean;
  handler: Handler;
}

function textField(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string') throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be a string`);
  return v;
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be a positive integer`);
  return Number(v);
}

async function streamBackup(ctx: RouteContext, res: ServerResponse): Promise<void> {
  const entries = ctx.client.node.localEntries();
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="dave-backup.bin"' });
  let closed = false;
  res.on('close', () => (closed = true));
  for await (const e of entries) {
    if (closed) return;
    if (!res.write(backupRecord(e))) await new Promise((r) => res.once('drain', r).once('close', r));
  }
  res.end();
}

export const ROUTES: Route[] = [
  { method: 'GET', path: /^\/status$/, handler: async (c, _q, res) => sendJson(res, 200, await c.client.status()) },
  {
    // for a monitor or a load balancer: cheap, no peers or store reads
    method: 'GET',
    path: /^\/health$/,
    handler: async (c, _q, res) => sendJson(res, 200, { status: 'ok', activePeers: c.client.node.activePeerCount(), records: c.client.node.recordCount() }),
  },
  { method: 'GET', path: /^\/peers$/, handler: async (c, _q, res) => sendJson(res, 200, { peers: await c.client.peers() }) },
  {
    method: 'GET',
    path: /^\/records\/([^/]+)$/,
    handler: async (c, _q, res, [owner], query) => {
      const o = { prefix: query.get('prefix') ?? undefined, after: query.get('after') ?? undefined, limit: intParam(query, 'limit') };
      sendJson(res, 200, await c.listings.run(() => c.client.list(owner!, o)));
    },
  },
  {
    method: 'GET',
    path: /^\/records\/([^/]+)\/(.*)$/, // the key may be empty (GET /records/me/)
    handler: async (c, _q, res, [owner, key]) => {
      const r = await c.client.get(owner!, key!);
      if (r === null) throw new ApiError(404, 'ERR_NOT_FOUND', `no record ${JSON.stringify(key)} of ${owner}`);
      sendJson(res, 200, r);
    },
  },
  {
    method: 'POST',
    path: /^\/records$/,
    signsWithNodeKey: true,
    handler: async (c, req, res) => {
      const body = await readJson(req);
      sendJson(res, 201, await c.client.put(textField(body, 'key'), textField(body, 'value')));
    },
  },
  {
    method: 'DELETE',
    path: /^\/records\/(.+)$/,
    signsWithNodeKey: true,
    handler: async (c, _q, res, [key]) => sendJson(res, 200, await c.client.del(key!)),
  },
  {
    method: 'POST',
    path: /^\/dats$/,
    handler: async (c, req, res) => {
      const dat = datFromJson(await readJson(req));
      sendJson(res, 201, writtenView({ dat, replicas: [] }, await c.client.write(dat)));
    },
  },
  {
    method: 'GET',
    path: /^\/metrics$/,
    handler: async (c, _q, res) => {
      const text = await c.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': c.metrics.registry.contentType });
      res.end(text);
    },
  },
  { method: 'GET', path: /^\/backup$/, handler: async (c, _q, res) => c.backups.run(() => streamBackup(c, res)) },
  {
    // joins at run time (docs/api.md): changes what the node talks to, so the token is needed everywhere
    method: 'POST',
    path: /^\/edges$/,
    signsWithNodeKey: true,
    handler: async (c, req, res) => {
      const body = await readJson(req);
      if (body.save !== undefined && typeof body.save !== 'boolean') throw new DaveError('ERR_INVALID_ARGUMENT', 'save must be a boolean');
      sendJson(res, 200, await c.client.join(textField(body, 'edge'), body.save === true));
    },
  },
  ...WEB_ROUTES,
];

/** The route for a request, its decoded path parameters, or a 404/405 ApiError. HEAD is GET without the body (not on /backup). */
export function match(method: string, pathname: string): { route: Route; params: string[] } {
  let allowed = false;
  const asMethod = method === 'HEAD' && pathname !== '/backup' ? 'GET' : method;
  for (const route of ROUTES) {
    const m = route.path.exec(pathname);
    if (!m) continue;
    if (route.method !== asMethod) {
      allowed = true;
      continue;
    }
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      throw new ApiError(400, 'ERR_INVALID_ARGUMENT', 'bad percent-encoding in the path');
    }
    return { route, params };
  }
  if (allowed) throw new ApiError(405, 'ERR_METHOD', `${method} is not allowed on ${pathname}`);
  throw new ApiError(404, 'ERR_NO_ROUTE', `no such endpoint: ${pathname} (see docs/api.md)`);
}
