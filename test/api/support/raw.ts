/**
 * Test support: an API server in this process over a real node (memory
 * store, loopback), and raw HTTP requests whose headers (Host, Origin,
 * Sec-Fetch-Site) are set exactly as an attacker's browser would send them.
 */
import { request } from 'node:http';
import { Dave } from '../../../lib/node/dave.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { LocalClient } from '../../../lib/api/local.js';
import { createMetrics } from '../../../lib/api/metrics.js';
import { ApiServer, type ApiServerOptions } from '../../../lib/api/server.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface Served {
  node: Dave;
  client: LocalClient;
  api: ApiServer;
  port: number;
  close(): Promise<void>;
}

/** A node and its API on `host`, port 0. */
export async function serve(o: Partial<ApiServerOptions> & { host?: string } = {}): Promise<Served> {
  const node = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
  const client = new LocalClient(node, { userKey: signingKey(new Uint8Array(32).fill(9)), ticket: () => 'ticket' });
  const api = await ApiServer.listen({ client, metrics: createMetrics(node), host: '127.0.0.1', port: 0, token: TOKEN, ...o });
  const port = Number(new URL(api.url).port);
  return {
    node,
    client,
    api,
    port,
    close: async () => {
      await api.close();
      await node.close();
    },
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, any> | undefined;
}

/** One request with exactly these headers, to 127.0.0.1:port or a Unix socket. */
export function raw(
  to: { port: number; host?: string } | { socketPath: string },
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const where = 'socketPath' in to ? { socketPath: to.socketPath } : { host: to.host ?? '127.0.0.1', port: to.port };
    const req = request({ ...where, method, path, headers, setHost: headers.host === undefined, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: Record<string, any> | undefined;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end(body);
  });
}
