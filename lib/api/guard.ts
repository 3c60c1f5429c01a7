/**
 * The gate every API request passes before any route sees it, so that a
 * web page in the user's browser cannot use the API (docs/api.md, "What a
 * web page cannot do"):
 *
 * - Host: a loopback name or address, the address the API is bound to (an
 *   address of this host when bound to every interface), or a name given
 *   with `--api-host`. Anything else is 421 ERR_HOST_NOT_ALLOWED: this is
 *   what defeats DNS rebinding, where a page's own name is pointed at
 *   127.0.0.1 and the browser sends that name as Host.
 * - POST, PUT, PATCH and any request with a body must say `Content-Type:
 *   application/json` (415 ERR_UNSUPPORTED_MEDIA_TYPE): a cross-site HTML
 *   form cannot send that type, and a script can only after a CORS
 *   preflight, which this API never grants.
 * - A write (any method but GET, HEAD, OPTIONS) from another site is 403
 *   ERR_CROSS_SITE: browsers say so in `Sec-Fetch-Site` (cross-site or
 *   same-site) and in `Origin` (a host the Host rule does not allow).
 *
 * Requests over the node's Unix socket (lib/api/socket.ts) come from the
 * same user and skip the Host rule; the body rule holds for every request.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ApiError } from './http.js';

/** What the Host rule allows besides loopback. */
export interface HostRule {
  /** The address the API listens on (IP literal or "localhost"). */
  bound: string;
  /** Extra names (e.g. "dave.lan"), from --api-host; compared without case. */
  names?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Methods whose requests are writes with a body: JSON always, even when empty. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** "[::1]:8080" → "::1", "Example.org:80" → "example.org"; null when it is not host[:port]. */
export function hostName(header: string): string | null {
  const v6 = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\](?::\d{1,5})?$/.exec(header);
  if (v6) return isIP(v6[1]!) === 6 ? v6[1]!.toLowerCase() : null;
  const m = /^([A-Za-z0-9._-]+)(?::\d{1,5})?$/.exec(header);
  if (!m) return null;
  return m[1]!.toLowerCase().replace(/\.$/, '');
}

function isLoopbackAddress(ip: string): boolean {
  if (isIP(ip) === 4) return ip.startsWith('127.');
  return ip === '::1' || /^::ffff:127\./.test(ip);
}

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || ip === '::0';
}

/** Addresses of this host's interfaces (for an API bound to every interface). */
function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address.toLowerCase());
  return out;
}

/** True when `name` (from hostName) may address this API. */
export function hostAllowed(name: string, rule: HostRule): boolean {
  if (name === 'localhost') return true;
  if (rule.names?.some((n) => n.toLowerCase() === name)) return true;
  if (isIP(name) === 0) return false; // a name not given with --api-host: possibly rebound DNS
  if (isLoopbackAddress(name)) return true;
  const bound = rule.bound.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === bound) return true;
  return isWildcard(bound) && ownAddresses().has(name);
}

/**
 * Throws unless the request passes the gate (see the file comment).
 * `local` marks a request over the Unix socket.
 * @throws ApiError 421 ERR_HOST_NOT_ALLOWED, 415 ERR_UNSUPPORTED_MEDIA_TYPE, 403 ERR_CROSS_SITE
 */
export function checkRequest(req: IncomingMessage, rule: HostRule, local = false): void {
  if (!local) {
    const host = req.headers.host ?? '';
    const name = hostName(host);
    if (name === null || !hostAllowed(name, rule)) {
      throw new ApiError(
        421,
        'ERR_HOST_NOT_ALLOWED',
        `Host ${JSON.stringify(host.slice(0, 100))} is not this node's API (use 127.0.0.1, localhost or the bound address; start the node with --api-host NAME to allow a name)`,
      );
    }
  }
  const method = req.method ?? 'GET';
  if (!SAFE_METHODS.has(method)) {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') throw crossSite(`Sec-Fetch-Site: ${site}`);
    const origin = req.headers.origin;
    if (origin !== undefined && !local && !originAllowed(origin, rule)) throw crossSite(`Origin ${origin.slice(0, 100)}`);
  }
  if ((BODY_METHODS.has(method) || hasBody(req)) && !isJson(req.headers['content-type'])) {
    throw new ApiError(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', `${method} needs Content-Type: application/json (a JSON body)`);
  }
}

function crossSite(what: string): ApiError {
  return new ApiError(403, 'ERR_CROSS_SITE', `refused a write from another web site (${what}); the API takes writes from its own page, the CLI and scripts`);
}

function originAllowed(origin: string, rule: HostRule): boolean {
  let host: string;
  try {
    host = new URL(origin).host; // "null" (sandboxed, file:) throws: refused
  } catch {
    return false;
  }
  const name = hostName(host);
  return name !== null && hostAllowed(name, rule);
}

/** A request that carries a body (or says it does). */
function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return len !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/** application/json, with or without parameters (charset=utf-8). */
function isJson(type: string | undefined): boolean {
  return type !== undefined && /^application\/json\s*(;|$)/i.test(type.trim());
}
