/**
 * Multi-node test support on real sockets: nodes on 127.0.0.1 port 0 with
 * short timings, each on a real Store over memory-level (kept here so
 * tests can look inside), closed together by an after hook. These tests
 * run on the wall clock, so they are for what needs real sockets: TCP
 * read deadlines and reconnects, refused connections, raw TCP clients,
 * IPv6 and dual-stack binds; each such test says why in a comment.
 * Protocol behaviour runs on the simulator's virtual clock instead
 * (lib/sim, with a scripted peer: support/sim-peer.ts; see
 * test/node/peers/discovery.test.ts), where a negative check is made
 * after virtual time has passed, not after a sleep.
 */
import { Dave } from '../../../lib/node/dave.js';
import { type DaveOptions, type Timings, silentLogger } from '../../../lib/node/options.js';
import { publicKeyFromSeed } from '../../../lib/crypto/ed25519.js';
import { nodeId } from '../../../lib/records/record.js';
import { Store } from '../../../lib/store/store.js';
import { seededBytes, useSeededRandom } from '../../support/seed.js';

// node keys and test records come from the seeded PRNG; a failure prints the seed
useSeededRandom();

export const FAST: Partial<Timings> = {
  pingMs: 50,
  activateAfterMs: 200,
  deactivateAfterMs: 300,
  dropAfterMs: 1_000,
  frameTimeoutMs: 1_000,
  connectTimeoutMs: 1_000,
  getTimeoutMs: 3_000,
};

export class Cluster {
  readonly nodes: Dave[] = [];
  private readonly stores = new Map<Dave, Store>();

  /** The store of a node opened without a database. */
  store(node: Dave): Store {
    return this.stores.get(node)!;
  }

  async open(options: DaveOptions = {}): Promise<Dave> {
    const privateKey = options.privateKey ?? seededBytes(32);
    const store =
      options.database === undefined && options.store === undefined
        ? await Store.open({ nodeId: nodeId(publicKeyFromSeed(privateKey)), sync: false })
        : undefined;
    const node = await Dave.open({
      listen: '127.0.0.1:0',
      store,
      verifyWorkers: 1,
      logger: silentLogger, // tests with silent edges on purpose; a test that reads the log passes its own
      ...options,
      privateKey,
      timings: { ...FAST, ...(options.timings ?? {}) },
    });
    this.nodes.push(node);
    if (store) this.stores.set(node, store);
    return node;
  }

  /** An edge, then `n - 1` nodes bootstrapping from it. */
  async star(n: number, options: DaveOptions = {}): Promise<Dave[]> {
    const edge = await this.open(options);
    const rest: Dave[] = [];
    for (let i = 1; i < n; i++) rest.push(await this.open({ ...options, edges: [edge.address()] }));
    return [edge, ...rest];
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((n) => n.close()));
    const stores = [...this.stores.values()];
    this.stores.clear();
    await Promise.all(stores.map((s) => s.close()));
  }
}

/** Polls `cond` every 20 ms until true; throws after `ms` (wall clock: for the socket tests above only). */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A Cluster torn down after each test of the describe block that calls this (it registers the afterEach hook). */
export function clusterFixture(): { cluster: Cluster } {
  const cluster = new Cluster();
  afterEach(() => cluster.close());
  return { cluster };
}
