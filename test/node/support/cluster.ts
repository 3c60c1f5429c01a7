/**
 * Multi-node test support: nodes on 127.0.0.1 port 0 with short timings,
 * closed together by an after hook.
 */
import { Dave } from '../../../lib/node/dave.js';
import type { DaveOptions, Timings } from '../../../lib/node/options.js';
import { FakeStore } from './fake-store.js';

export const FAST: Partial<Timings> = {
  pingMs: 50,
  activateAfterMs: 200,
  deactivateAfterMs: 150,
  dropAfterMs: 600,
  frameTimeoutMs: 1_000,
  connectTimeoutMs: 1_000,
  getTimeoutMs: 3_000,
};

export class Cluster {
  readonly nodes: Dave[] = [];
  private readonly stores = new Map<Dave, FakeStore>();

  /** The in-memory store of a node opened without a database. */
  store(node: Dave): FakeStore {
    return this.stores.get(node)!;
  }

  async open(options: DaveOptions = {}): Promise<Dave> {
    const store = options.database === undefined ? new FakeStore() : undefined;
    const node = await Dave.open({
      listen: '127.0.0.1:0',
      store,
      verifyWorkers: 1,
      ...options,
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
  }
}

/** Polls `cond` every 20 ms until true; throws after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
