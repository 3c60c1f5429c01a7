/**
 * Fair inbound TCP (node/intake/tcp-reader.ts, docs/protocol.md §10): at the cap, a
 * connection that delivered nothing new makes room. First the rule on
 * fake streams, then the probe on the simulator: 128 connections
 * (8 per IP from 16 IPs) each sending one duplicate PUT every 500 ms,
 * while a peer writes; every write the peer reports done is stored.
 */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import { encodeFrame } from '../../../lib/wire/frame.js';
import { encodeMessage } from '../../../lib/wire/message.js';
import { IDLE_GRACE_MS, InboundConnections } from '../../../lib/node/intake/tcp-reader.js';
import { duplexPair } from '../../../lib/sim/network.js';
import { Simulation } from '../../../lib/sim/index.js';
import { vectorEntry } from '../../wire/fixtures.js';
import type { Duplex } from 'node:stream';
import { testServices } from '../support/services.js';

describe('node/ingest: fair inbound TCP', function () {
  this.timeout(120_000);

  it('at the cap, the connection idle longest (and past the grace) is closed for a newcomer; a useful one is kept', async () => {
    const s = testServices({ frameTimeoutMs: 60_000 });
    const conns = new InboundConnections(s, 100, 3);
    const open = () => {
      const [ours, theirs] = duplexPair();
      conns.accept(ours, addrPort('10.0.0.1', 40_000));
      return { ours, theirs };
    };
    const a = open();
    s.time = 100;
    const b = open();
    s.time = 200;
    const c = open();
    expect(conns.size).to.equal(3);
    // within the grace, a newcomer is refused
    s.time = 500;
    const early = open();
    expect(early.ours.destroyed, 'refused within the grace').to.equal(true);
    // a delivers something new; b and c stay idle
    s.time = 900;
    a.theirs.write(encodeFrame(encodeMessage({ op: OP.PUT, entry: vectorEntry() })));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); // the reader batches a turn's PUTs, flushed on setImmediate
    s.time = 200 + IDLE_GRACE_MS + 1;
    const d = open();
    expect(d.ours.destroyed).to.equal(false);
    expect(b.ours.destroyed, 'the idlest closed').to.equal(true);
    expect(a.ours.destroyed, 'the useful one kept').to.equal(false);
    expect(c.ours.destroyed).to.equal(false);
    expect(s.counters.tcpIdleClosed).to.equal(1);
    expect(conns.size).to.equal(3);
    conns.destroyAll();
  });

  it('the issue\'s probe: 128 duplicate-only connections cannot hold the cap; a peer\'s writes get through and are true', async () => {
    const sim = new Simulation({ seed: 21 });
    const attackers: Duplex[] = [];
    let stop = false;
    try {
      const v = await sim.addNode();
      const w = await sim.addNode({ edges: [v] });
      await sim.run(8_000);
      const owner = new Uint8Array(32).fill(31);
      const first = await sim.record(owner, 'dup', 'stored first');
      await sim.drive(w.dave.put(first));
      const dup = encodeFrame(encodeMessage({ op: OP.PUT, entry: { dat: first, replicas: [1n, 2n, 3n, 4n, 5n] } }));
      for (let h = 0; h < 16; h++) {
        const tcp = sim.net.host(`10.77.0.${h + 1}`).tcp();
        for (let i = 0; i < 8; i++) {
          const s = await sim.drive(tcp.connect(addrPort(v.ip, 1619), new AbortController().signal));
          s.on('error', () => {});
          attackers.push(s);
          const tick = () => {
            if (stop || s.destroyed) return;
            s.write(dup);
            sim.clock.setTimeout(tick, 500);
          };
          tick();
        }
      }
      await sim.run(2_000);
      expect(v.dave.stats().tcpAccepted, 'the probe took every slot').to.be.at.least(128);
      const results: { key: string; ok: boolean }[] = [];
      for (let i = 0; i < 20; i++) {
        const dat = await sim.record(owner, `real-${i}`, `value ${i}`);
        try {
          await sim.drive(w.dave.put(dat), 20_000);
          results.push({ key: `real-${i}`, ok: true });
        } catch {
          results.push({ key: `real-${i}`, ok: false });
        }
      }
      expect(results.filter((r) => r.ok), 'writes that got through').to.have.length(20);
      for (const r of results) {
        const stored = await v.store.get(first.pubKey, new TextEncoder().encode(r.key));
        expect(stored !== undefined, `${r.key}: ${r.ok ? 'reported stored' : 'reported failed'}`).to.equal(r.ok);
      }
      expect(v.dave.stats().tcpIdleClosed).to.be.greaterThan(0);
    } finally {
      stop = true;
      for (const s of attackers) s.destroy();
      await sim.close();
    }
  });
});
