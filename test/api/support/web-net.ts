/**
 * Test support: real nodes on loopback (test/node/support/cluster.ts, short
 * timings), the first one serving the HTTP API, the web page and
 * GET /events as `dave start --api` does (LocalClient, createMetrics,
 * ApiServer), with a known token and user key.
 */
import { ApiServer } from '../../../lib/api/server.js';
import type { EventHubOptions } from '../../../lib/api/events.js';
import { LocalClient } from '../../../lib/api/local.js';
import { createMetrics } from '../../../lib/api/metrics.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { encodeTicket, dialableAddresses } from '../../../lib/cli/ticket.js';
import type { Dave } from '../../../lib/node/dave.js';
import type { DaveOptions } from '../../../lib/node/options.js';
import { Cluster } from '../../node/support/cluster.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface WebNode {
  node: Dave;
  client: LocalClient;
  api: ApiServer;
}

/** `node` with an API server on 127.0.0.1, port 0. */
export async function serveApi(node: Dave, events: EventHubOptions = {}, userSeed = new Uint8Array(32).fill(9)): Promise<WebNode> {
  const metrics = createMetrics(node);
  const client = new LocalClient(node, {
    userKey: signingKey(userSeed),
    ticket: () => encodeTicket({ publicKey: node.publicKey, addresses: dialableAddresses(node.address(), node.publicAddress()) }),
    observeGet: metrics.observeGet,
  });
  const api = await ApiServer.listen({ client, metrics, host: '127.0.0.1', port: 0, token: TOKEN, events });
  return { node, client, api };
}

export class WebNet {
  readonly cluster = new Cluster();
  private readonly apis: ApiServer[] = [];

  /** A node (edges, timings... as Cluster.open) with the API, the page and the events. */
  async openServed(options: DaveOptions = {}, events: EventHubOptions = {}): Promise<WebNode> {
    const w = await serveApi(await this.cluster.open(options), events);
    this.apis.push(w.api);
    return w;
  }

  open(options: DaveOptions = {}): Promise<Dave> {
    return this.cluster.open(options);
  }

  async close(): Promise<void> {
    await Promise.all(this.apis.splice(0).map((a) => a.close()));
    await this.cluster.close();
  }
}
