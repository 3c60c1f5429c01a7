/**
 * The simulator: runs repeat exactly under one seed (the datagram trace,
 * every node's key and the results), differ under another, and each
 * network control does what it says.
 */
import { expect } from 'chai';
import { Simulation, VirtualClock, Rng, latency } from 'dave-kv/sim';

interface Outcome {
  trace: string[];
  keys: string[];
  active: number[];
  value: string;
  stats: string;
}

/** Five nodes under every link fault and a skewed clock; a write and a read. */
async function scenario(seed: number): Promise<Outcome> {
  const sim = new Simulation({
    seed,
    keepTrace: true,
    link: { latency: latency.exponential(5, 20), loss: 0.05, duplicate: 0.05, reorder: 0.1 },
  });
  try {
    for (let i = 0; i < 5; i++) await sim.addNode({ skewMs: i === 4 ? 1_500 : 0 });
    await sim.run(15_000);
    const dat = await sim.record(sim.rng.fork('owner').bytes(32), 'k', `v${seed}`);
    await sim.drive(sim.nodes[1]!.dave.put(dat));
    const got = await sim.drive(sim.nodes[4]!.dave.get(dat.pubKey, 'k'));
    await sim.run(3_000);
    return {
      trace: [...sim.net.trace],
      keys: sim.nodes.map((n) => Buffer.from(n.dave.publicKey).toString('hex')),
      active: sim.nodes.map((n) => n.dave.activePeerCount()),
      value: Buffer.from(got.dat.value).toString(),
      stats: JSON.stringify(sim.nodes.map((n) => n.dave.stats())),
    };
  } finally {
    await sim.close();
  }
}

describe('sim: determinism', function () {
  this.timeout(60_000);

  it('the same seed twice gives the identical trace, keys, peers and stats; another seed does not', async () => {
    const a = await scenario(7);
    const b = await scenario(7);
    const c = await scenario(8);
    expect(a.trace.length).to.be.greaterThan(500);
    expect(b.trace).to.deep.equal(a.trace);
    expect(b.keys).to.deep.equal(a.keys);
    expect(b.active).to.deep.equal(a.active);
    expect(b.stats).to.equal(a.stats);
    expect(a.value).to.equal('v7');
    expect(a.active).to.deep.equal([4, 4, 4, 4, 4]);
    expect(c.trace).to.not.deep.equal(a.trace);
    expect(c.keys).to.not.deep.equal(a.keys);
  });

  it('Rng: a seed gives one stream; forks are independent of later draws', () => {
    const r1 = new Rng(42);
    const r2 = new Rng(42);
    expect(Array.from({ length: 5 }, () => r1.u32())).to.deep.equal(Array.from({ length: 5 }, () => r2.u32()));
    const f1 = new Rng(3).fork('x');
    const base = new Rng(3);
    const f2 = base.fork('x');
    base.u32();
    expect(f1.bytes(16)).to.deep.equal(f2.bytes(16));
    expect(new Rng(3).fork('y').bytes(16)).to.not.deep.equal(new Rng(3).fork('x').bytes(16));
  });
});

describe('sim: clock and network controls', function () {
  this.timeout(60_000);

  it('VirtualClock fires timers in (time, order) order, skips cleared ones, and never sleeps', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.setTimeout(() => seen.push('b'), 20);
    clock.setTimeout(() => seen.push('a'), 10);
    const h = clock.setTimeout(() => seen.push('x'), 15);
    clock.setTimeout(() => seen.push('c'), 20);
    clock.clearTimeout(h);
    const t0 = Date.now();
    await clock.runUntil(clock.time + 3_600_000);
    expect(seen).to.deep.equal(['a', 'b', 'c']);
    expect(clock.elapsed).to.equal(3_600_000);
    expect(Date.now() - t0).to.be.lessThan(3_600_000); // an hour did not pass
    expect(clock.skewed(-500).now()).to.equal(clock.now() - 500);
  });

  it('loss 1 delivers nothing; a partition cuts datagrams and connections until healed', async () => {
    const sim = new Simulation({ seed: 1, link: { loss: 1 } });
    try {
      const a = await sim.addNode();
      const b = await sim.addNode();
      await sim.run(10_000);
      expect(sim.net.datagrams.delivered).to.equal(0);
      expect(b.dave.activePeerCount()).to.equal(0);
      sim.net.link.loss = 0;
      await sim.run(10_000);
      expect([a.dave.activePeerCount(), b.dave.activePeerCount()]).to.deep.equal([1, 1]);
      sim.partition([a], [b]);
      await sim.run(15_000); // past the drop deadline
      expect(sim.net.datagrams.cut).to.be.greaterThan(0);
      expect(a.dave.activePeerCount()).to.equal(0);
      const dat = await sim.record(sim.rng.fork('o').bytes(32), 'k', 'v');
      sim.heal();
      await sim.run(10_000);
      expect(b.dave.activePeerCount()).to.equal(1);
      await sim.drive(a.dave.put(dat));
      expect((await sim.holders(dat)).map((h) => h.ip).sort()).to.deep.equal([a.ip, b.ip]);
    } finally {
      await sim.close();
    }
  });

  it('duplication and reordering happen at the configured rates', async () => {
    const sim = new Simulation({ seed: 2, link: { duplicate: 0.5, reorder: 0.5 } });
    try {
      await sim.addNode();
      await sim.addNode();
      await sim.run(10_000);
      const d = sim.net.datagrams;
      expect(d.duplicated / d.sent).to.be.within(0.3, 0.7);
      expect(sim.speed()).to.be.greaterThan(0);
    } finally {
      await sim.close();
    }
  });
});
