/**
 * Reads teach trust (docs/trust.md): the pure rules of peers/read-checks,
 * and on the simulator an all-honest network with churn under heavy
 * reads, where no peer may fall below the failing threshold.
 */
import { expect } from 'chai';
import { ReadChecks } from '../../../lib/peers/read-checks.js';
import { DEFAULT_TRUST } from '../../../lib/node/trust/keeper.js';
import { NodeTrust } from '../../../lib/node/trust/wiring.js';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { testServices } from '../support/services.js';
import { Simulation } from '../../../lib/sim/index.js';
import type { Dat } from '../../../lib/wire/dat.js';

describe('peers/read-checks', () => {
  it('charges only the named replicas that said not-found or older; waits for the silent; repairs all that lacked it', () => {
    const rc = new ReadChecks({ windowMs: 1_000 });
    const v = rc.found('r1', 100, [1n, 2n, 3n, 4n, 0n], 'a', [
      { key: 'b', id: 2n, answer: 'not-found' },
      { key: 'c', id: 3n, answer: 'older' },
      { key: 'd', id: 4n, answer: 'none' },
      { key: 'e', id: 9n, answer: 'not-found' }, // not named: a newcomer since the write
      { key: 'f', id: 1n, answer: 'newer-or-same' },
    ], 0, 500);
    expect(v).to.deep.equal({ failed: ['b', 'c'], repair: ['b', 'c', 'e'], waiting: ['d'] });
    expect(rc.late('r1', 'd', 100, 200), 'a late replica with the record').to.equal('ok');
    expect(rc.size).to.equal(0);
  });

  it('bounds: once per record per window, perPeer per window; silence judged at the grace', () => {
    const rc = new ReadChecks({ windowMs: 1_000, perPeer: 1 });
    const ask = (id: string, now: number) => rc.found(id, 1, [2n], 'a', [{ key: 'b', id: 2n, answer: 'not-found' }], now, 100).failed;
    expect(ask('r1', 0)).to.deep.equal(['b']);
    expect(ask('r1', 10), 'same record').to.deep.equal([]);
    expect(ask('r2', 20), 'per-peer bound').to.deep.equal([]);
    expect(ask('r2', 1_100), 'a new window').to.deep.equal(['b']);
    rc.found('r3', 1, [3n], 'a', [{ key: 'c', id: 3n, answer: 'none' }], 2_000, 100);
    expect(rc.expire('r3', 2_050), 'before the grace ends').to.deep.equal([]);
    expect(rc.expire('r3', 2_100)).to.deep.equal([{ peer: 'c', failed: true }]);
  });
});

describe('node/trust: reads that teach it', () => {
  it("judges each read's silent replicas at its own grace's end, however many reads wait", () => {
    const s = testServices();
    const peer = (ip: string, id: bigint) => {
      const p = s.table.add(addrPort(ip, 1000), false, 0)!;
      s.table.proved(p, new Uint8Array(32).fill(Number(id)), id, 0, s.timings);
      return p;
    };
    const silent = peer('10.0.0.2', 2n);
    const answering = peer('10.0.0.3', 3n);
    const trust = new NodeTrust(s, DEFAULT_TRUST, 100); // a 100 ms grace
    const entry = { ...vectorEntry(), replicas: [2n, 3n, 0n, 0n, 0n] };
    const asked = new Set([silent.key, answering.key]);
    const found = (id: string) => trust.reads!.found(id, entry, answering.key, { asked, notFound: new Set(), held: new Map() });
    const repairs = () => s.sent.filter((x) => x.msg.op === OP.PUT && x.to.port === silent.addr.port).length;
    found('r1');
    s.advance(10);
    found('r2');
    s.advance(10);
    trust.reads!.late(entry, silent.key, 'r2'); // r2's silent replica answers in time, with the record
    s.advance(30);
    found('r3'); // at 50
    s.advance(50);
    expect(repairs(), 'at 100: no grace is over').to.equal(0);
    s.advance(1);
    expect(repairs(), "at 101: r1's silent replica is sent the record").to.equal(1);
    s.advance(49);
    expect(repairs(), 'at 150: r2 was answered; r3 is not over').to.equal(1);
    s.advance(1);
    expect(repairs(), "at 151: r3's").to.equal(2);
    expect(s.counters.readRepairs).to.equal(2);
  });
});

describe('node: reads teach trust in an honest network with churn', function () {
  this.timeout(180_000);

  it('keeps every peer above the failing threshold under heavy reads', async () => {
    const sim = new Simulation({ seed: 31 });
    try {
      for (let i = 0; i < 10; i++) await sim.addNode();
      await sim.run(12_000);
      const dats: Dat[] = [];
      for (let w = 0; w < 5; w++) {
        for (let k = 0; k < 8; k++) {
          const owner = sim.rng.fork(`owner${w}-${k}`).bytes(32);
          const dat = await sim.record(owner, `k${k}`, `v${w}-${k}`);
          await sim.drive(sim.nodes[w]!.dave.put(dat));
          dats.push(dat);
        }
      }
      // churn: two leave, three join (they hold nothing yet)
      await sim.removeNode(sim.nodes[8]!);
      await sim.removeNode(sim.nodes[9]!);
      for (let i = 0; i < 3; i++) await sim.addNode();
      await sim.run(10_000);
      let ok = 0;
      let reads = 0;
      for (let round = 0; round < 3; round++) {
        for (const reader of sim.live) {
          const batch = dats.map((d) =>
            sim.drive(reader.dave.get(d.pubKey, d.key)).then(
              () => ok++,
              () => {},
            ),
          );
          reads += batch.length;
          await Promise.all(batch);
        }
        await sim.run(2_000);
      }
      expect(ok / reads, 'reads that found the record').to.be.greaterThan(0.95);
      const repairs = sim.live.reduce((n, x) => n + x.dave.stats().readRepairs, 0);
      const charged = sim.live.reduce((n, x) => n + x.dave.stats().readChecksFailed, 0);
      for (const node of sim.live) {
        for (const p of node.dave.peers()) {
          expect(p.reliability, `${node.address} on ${p.address} (charged ${charged}, repairs ${repairs})`).to.be.at.least(DEFAULT_TRUST.distrustBelow);
        }
      }
      expect(repairs, 'the newcomers were sent what they lacked').to.be.greaterThan(0);
    } finally {
      await sim.close();
    }
  });
});
