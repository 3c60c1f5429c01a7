/**
 * The node's web page and its live feed, as routes of the API server:
 * `GET /` and `GET /web/...` (the page's files, under a strict
 * Content-Security-Policy: nothing loads or connects outside the node's
 * origin), `GET /events` (events.ts) and `GET /owners` (owners.ts).
 * The page's files hold no data of the node (they are the package's own
 * files), so they are `asset` routes, open without the token; everything
 * the page shows comes from the other endpoints, under their access rules.
 */
import { type Asset, PACKAGE_VERSION, loadAssets } from './package-files.js';
import type { ServerResponse } from 'node:http';
import { EventHub, type EventHubOptions } from './events.js';
import { TopOwners } from './owners.js';
import type { LocalClient } from './local.js';
import type { Metrics } from './metrics.js';
import { ApiError, sendJson } from './http.js';
import type { Route } from './routes.js';

export interface WebContext {
  events: EventHub;
  owners: TopOwners;
  assets: Map<string, Asset>;
  /** Why the page's files could not be read at start, or null. */
  missing: string | null;
}

/** Sources: only this origin; no inline script or style, no frames, no forms posted elsewhere. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-cache',
};

export function createWeb(client: LocalClient, metrics: Metrics, options: EventHubOptions = {}): WebContext {
  let assets = new Map<string, Asset>();
  let missing: string | null = null;
  try {
    assets = loadAssets();
  } catch (err) {
    // the API goes on without its page; GET / says what is wrong
    missing = (err as Error).message;
  }
  return {
    events: new EventHub(client, metrics, { version: PACKAGE_VERSION, ...options }),
    owners: new TopOwners(() => client.node.localEntries()),
    assets,
    missing,
  };
}

function serveAsset(web: WebContext, path: string, res: ServerResponse): void {
  if (web.missing !== null) throw new ApiError(500, 'ERR_INTERNAL', `the web page's files could not be read (${web.missing}): reinstall dave-kv`);
  const a = web.assets.get(path);
  if (!a) throw new ApiError(404, 'ERR_NO_ROUTE', `no such file: ${path}`);
  res.writeHead(200, { ...PAGE_HEADERS, 'content-type': a.type, 'content-length': a.body.length });
  res.end(a.body);
}

export const WEB_ROUTES: Route[] = [
  { method: 'GET', path: /^\/$/, asset: true, handler: async (c, _q, res) => serveAsset(c.web, '/', res) },
  { method: 'GET', path: /^(\/web\/(?:vendor\/)?[A-Za-z0-9.-]+)$/, asset: true, handler: async (c, _q, res, [path]) => serveAsset(c.web, path!, res) },
  { method: 'GET', path: /^\/events$/, handler: async (c, req, res) => c.web.events.open(req, res) },
  { method: 'GET', path: /^\/owners$/, handler: async (c, _q, res) => sendJson(res, 200, await c.web.owners.get()) },
];
