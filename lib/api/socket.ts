/**
 * The API on a Unix socket in the data directory (as Docker and Syncthing
 * do): the file is 0600 in a 0700 directory, so only the user who runs the
 * node can connect, and the one-shot commands reach their own node through
 * it without a token and without a TCP port that a stranger could take
 * over once the node is gone (docs/api.md, "The local socket").
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { connect } from 'node:net';
import { type ApiLimits, DEFAULT_API_LIMITS, applyLimits, serverOptions } from './limits.js';

/** The socket's file name in the data directory. */
export const API_SOCKET_FILE = 'api.sock';

/** Longest socket path the OS takes (sun_path is 108 bytes on Linux, 104 on macOS, with its NUL). */
export const MAX_SOCKET_PATH = 103;

/** True when `path` is short enough to be a Unix socket's address. */
export function socketPathFits(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH;
}

/** Resolves true when something accepts connections on the socket at `path`. */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ path });
    const done = (ok: boolean) => {
      clearTimeout(t);
      c.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    c.once('connect', () => done(true));
    c.once('error', () => done(false));
  });
}

/**
 * Serves `handler` on a Unix socket at `path`, mode 0600, under the same
 * connection cap and deadlines as the TCP listener (limits.ts: a local
 * script that leaks connections must not take the store's file
 * descriptors either). A socket file left by a node that died is removed
 * first; one that answers is in use.
 * @throws Error (code EADDRINUSE) when a live socket or another file is at `path`
 */
export async function listenSocket(
  path: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: ApiLimits = DEFAULT_API_LIMITS,
): Promise<Server> {
  if (!socketPathFits(path)) throw Object.assign(new Error(`socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes`), { code: 'ENAMETOOLONG' });
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    stat = undefined;
  }
  if (stat) {
    if (!stat.isSocket()) throw Object.assign(new Error(`${path} exists and is not a socket`), { code: 'EADDRINUSE' });
    if (await socketAnswers(path)) throw Object.assign(new Error(`${path} is in use by a running node`), { code: 'EADDRINUSE' });
    unlinkSync(path); // left by a node that died
  }
  const server = createServer(serverOptions(limits), handler);
  server.on('clientError', (_err, socket) => socket.destroy());
  applyLimits(server, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return server;
}
