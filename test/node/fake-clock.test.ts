/**
 * Every timer of a node runs on its injected clock and every socket comes
 * from its factory: three nodes on a manual clock and the in-memory
 * network authenticate, write over TCP and read, while any use of the
 * global setTimeout or setInterval is counted (and must stay at zero).
 */
import { expect } from 'chai';
import { Dave } from '../../lib/node/dave.js';
import type { Clock } from '../../lib/node/options.js';
import { createDat } from '../../lib/records/record.js';
import { MemoryNetwork } from '../transport/memory-network.js';

/** A clock that moves only when told to; timers fire in (time, order) order. */
class ManualClock implements Clock {
  private t = 1_700_000_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Runs every timer due within `ms`, letting in-process work settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets datagrams (setImmediate), streams and store promises run to quiescence. */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

/** Drives the clock in 100 ms steps until `p` settles (bounded). */
async function drive<T>(clock: ManualClock, p: Promise<T>, maxMs = 30_000): Promise<T> {
  let done = false;
  const watched = p.finally(() => (done = true));
  watched.catch(() => {});
  for (let t = 0; t < maxMs && !done; t += 100) await clock.advance(100);
  expect(done, `still pending after ${maxMs} virtual ms`).to.equal(true);
  return watched;
}

describe('node: a network on a fake clock, with no real timers', function () {
  this.timeout(30_000);
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;
  let realTimers = 0;

  afterEach(() => {
    globalThis.setTimeout = realSetTimeout;
    globalThis.setInterval = realSetInterval;
  });

  it('three nodes become active, write over TCP and read, all on the injected clock', async () => {
    const seed = (i: number) => new Uint8Array(32).fill(i + 1);
    // made before the guard: createDat at the default difficulty may use worker threads
    const dat = await createDat({ key: 'k', value: 'on a fake clock', privateKey: seed(9), time: 1_700_000_000_000 });

    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      realTimers++;
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      realTimers++;
      return realSetInterval(...args);
    }) as typeof setInterval;

    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const nodes: Dave[] = [];
    try {
      const open = async (i: number, edges: string[]) => {
        const n = await Dave.open({ listen: '10.0.0.1:0', sockets: net, clock, edges, verifyWorkers: 0, privateKey: seed(i) });
        nodes.push(n);
        return n;
      };
      const a = await open(0, []);
      const b = await open(1, [a.address()]);
      const c = await open(2, [a.address()]);
      expect(clock.pending).to.be.greaterThan(0); // the node's timers are on our clock

      // spec timings: active after 5 s of answers; 20 virtual seconds is plenty
      await clock.advance(20_000);
      expect([a, b, c].map((n) => n.activePeerCount())).to.deep.equal([2, 2, 2]);

      await drive(clock, b.put(dat));
      const got = await drive(clock, c.get(dat.pubKey, 'k'));
      expect(Buffer.from(got.dat.value).toString()).to.equal('on a fake clock');
      expect(b.stats().packetsOut.PUT).to.be.greaterThan(0); // the write went over the (memory) TCP sockets
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
    expect(realTimers, 'global setTimeout/setInterval calls during the run').to.equal(0);
  });
});
