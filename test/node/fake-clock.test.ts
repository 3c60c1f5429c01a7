/**
 * Every timer of a node runs on its injected clock and every socket comes
 * from its factory: three nodes on the simulator's virtual clock and
 * network (lib/sim) authenticate, write over TCP and read, while any use
 * of the global setTimeout or setInterval is counted (and must stay at zero).
 */
import { expect } from 'chai';
import { Simulation } from '../../lib/sim/index.js';

describe('node: a network on a fake clock, with no real timers', function () {
  this.timeout(30_000);
  const realSetTimeout = globalThis.setTimeout;
  const realSetInterval = globalThis.setInterval;

  afterEach(() => {
    globalThis.setTimeout = realSetTimeout;
    globalThis.setInterval = realSetInterval;
  });

  it('three nodes become active, write over TCP and read, all on the injected clock', async () => {
    let realTimers = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      realTimers++;
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      realTimers++;
      return realSetInterval(...args);
    }) as typeof setInterval;

    const sim = new Simulation({ seed: 3 });
    try {
      const a = await sim.addNode();
      const b = await sim.addNode({ edges: [a] });
      const c = await sim.addNode({ edges: [a] });
      // spec timings: active after 5 s of answers; 20 virtual seconds is plenty
      await sim.run(20_000);
      expect([a, b, c].map((n) => n.dave.activePeerCount())).to.deep.equal([2, 2, 2]);
      const dat = await sim.record(new Uint8Array(32).fill(9), 'k', 'on a fake clock');
      await sim.drive(b.dave.put(dat));
      expect(b.dave.stats().packetsOut.PUT).to.be.greaterThan(0); // the write went over the (simulated) TCP sockets
      const got = await sim.drive(c.dave.get(dat.pubKey, 'k'));
      expect(Buffer.from(got.dat.value).toString()).to.equal('on a fake clock');
      expect(sim.elapsed).to.be.at.least(20_000);
    } finally {
      await sim.close();
    }
    expect(realTimers, 'global setTimeout/setInterval calls during the run').to.equal(0);
  });
});
