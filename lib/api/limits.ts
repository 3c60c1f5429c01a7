/**
 * Limits that keep the HTTP API from being turned against the node: a cap
 * on open connections (each is a file descriptor, and LevelDB needs those
 * too: without a cap, idle local connections can leave the store unable to
 * open its files), and deadlines for a request's headers, its whole
 * request, and an idle connection. Past the cap, new connections are
 * closed at once; past a deadline, the connection is closed (408 when a
 * request was under way).
 */
import type { Server, ServerOptions } from 'node:http';

export interface ApiLimits {
  /** Open connections at most; more are closed on arrival. Default 64. */
  maxConnections: number;
  /** Time to receive a request's headers, ms. Default 10000. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (headers and body), ms. Default 30000. */
  requestTimeoutMs: number;
  /** A connection with no traffic either way is closed after this, ms. Default 60000. */
  idleTimeoutMs: number;
  /** How often the header and request deadlines are checked, ms. Default 1000. */
  checkIntervalMs: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  maxConnections: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  checkIntervalMs: 1_000,
};

/** The limits with defaults applied. */
export function apiLimits(given: Partial<ApiLimits> = {}): ApiLimits {
  const l = { ...DEFAULT_API_LIMITS, ...given };
  l.headersTimeoutMs = Math.min(l.headersTimeoutMs, l.requestTimeoutMs); // node requires headers <= request
  return l;
}

/** node:http server options for `l` (deadlines are checked by the server's own timer). */
export function serverOptions(l: ApiLimits): ServerOptions {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    connectionsCheckingInterval: l.checkIntervalMs,
    keepAliveTimeout: Math.min(5_000, l.idleTimeoutMs),
  };
}

/** Applies the connection cap and the idle deadline to a created server. */
export function applyLimits(server: Server, l: ApiLimits): void {
  server.maxConnections = l.maxConnections;
  server.setTimeout(l.idleTimeoutMs, (socket) => socket.destroy());
}
