/**
 * The open network (docs/protocol.md §7, "What a node refuses"), on the
 * simulator's virtual clock and network (lib/sim): bounded reflection for
 * a spoofed PING, and the Sybil scenario (one key answering from
 * 2,241 loopback addresses) with a newcomer that must still get in.
 */
import { expect } from 'chai';
import { OP, PING_LEN } from '../../lib/constants.js';
import { sign, signingKey } from '../../lib/crypto/ed25519.js';
import { blake3 } from '../../lib/crypto/hash.js';
import { addrPort } from '../../lib/wire/address.js';
import { decodeMessage, encodeMessage } from '../../lib/wire/message.js';
import { Simulation } from '../../lib/sim/index.js';
import { IMMEDIATE_CHALLENGES_PER_S } from '../../lib/node/peers/handshake.js';
import type { UdpTransport } from '../../lib/transport/types.js';

const ping = () => encodeMessage({ op: OP.PING, challenge: new Uint8Array(32).fill(7), usedSpace: 0n, capacity: 0n });

describe('node: the open network, simulated', function () {
  this.timeout(120_000);

  it('one spoofed PING draws at most 4x its bytes to the silent source (a PONG and one PING)', async () => {
    const sim = new Simulation({ seed: 11 });
    try {
      const a = await sim.addNode();
      await sim.run(2_000);
      // the "spoofed" source: a host that never answers
      const victim = '10.200.0.1';
      const udp = sim.net.host(victim).udp();
      await udp.bind('0.0.0.0', 1618);
      const got: number[] = [];
      udp.onmessage = (d) => void got.push(d[0]!);
      const bytes = ping();
      expect(bytes.length).to.equal(PING_LEN);
      udp.send(bytes, addrPort(a.ip, 1618));
      await sim.run(30_000);
      const c = sim.net.countersOf(victim);
      expect(c.bytesIn, `bytes sent to the silent source (${got.map((op) => ['PING', 'PONG'][op] ?? op).join(', ')})`).to.be.at.most(4 * PING_LEN);
      expect(got.filter((op) => op === OP.PONG)).to.have.length(1);
      expect(got.filter((op) => op === OP.PING).length).to.be.within(1, 1);
      expect(a.dave.peers().some((p) => p.address === `${victim}:1618`), 'forgotten').to.equal(false);
      await udp.close();
    } finally {
      await sim.close();
    }
  });

  it('a PING flood from 200 addresses draws at most IMMEDIATE_CHALLENGES_PER_S immediate challenges, each no larger than its PING', async () => {
    const sim = new Simulation({ seed: 14 });
    try {
      const a = await sim.addNode();
      await sim.run(2_500); // halfway through a PING period: the period's own PINGs stay out of the window
      const pings: number[] = [];
      const socks = [];
      for (let i = 1; i <= 200; i++) {
        // one host per /24, so the table's per-host and per-prefix limits do not drop them first
        const udp = sim.net.host(`10.${i}.0.1`).udp();
        await udp.bind('0.0.0.0', 1618);
        udp.onmessage = (d) => void (d[0] === OP.PING && pings.push(d.length));
        socks.push(udp);
      }
      const deferredBefore = a.dave.stats().challengesDeferred;
      for (let i = 1; i <= 200; i++) socks[i - 1]!.send(ping(), addrPort(a.ip, 1618));
      await sim.run(100);
      expect(pings.length, 'immediate challenges').to.equal(IMMEDIATE_CHALLENGES_PER_S);
      for (const len of pings) expect(len).to.be.at.most(PING_LEN);
      expect(a.dave.stats().challengesDeferred - deferredBefore, 'the rest wait for the PING period').to.equal(200 - IMMEDIATE_CHALLENGES_PER_S);
      for (const s of socks) await s.close();
    } finally {
      await sim.close();
    }
  });

  it('a GETMYADDRPORT flood from a known address draws one answer per PING period', async () => {
    const sim = new Simulation({ seed: 12 });
    try {
      const a = await sim.addNode();
      const b = await sim.addNode({ edges: [a] });
      await sim.run(8_000);
      const before = a.dave.stats().packetsOut.GETMYADDRPORT_ACK;
      // b's address, forged: 200 asks within one PING period
      const forged = sim.net.host(b.ip).udp();
      await b.dave.close(); // frees b's port; a still knows the address
      await forged.bind('0.0.0.0', 1618);
      for (let i = 0; i < 200; i++) forged.send(new Uint8Array([OP.GETMYADDRPORT]), addrPort(a.ip, 1618));
      await sim.run(500);
      const answered = a.dave.stats().packetsOut.GETMYADDRPORT_ACK - before;
      expect(answered).to.be.within(0, 1);
      expect(a.dave.stats().addrAsksOverBudget).to.be.at.least(199);
      await forged.close();
    } finally {
      await sim.close();
    }
  });

  it('one key at 2,241 loopback addresses holds one entry; a newcomer is active within a few PING periods', async () => {
    const sim = new Simulation({ seed: 13 });
    const sybils: UdpTransport[] = [];
    try {
      const v = await sim.addNode();
      const key = signingKey(new Uint8Array(32).fill(66));
      const target = addrPort(v.ip, 1618);
      // 249 loopback IPs x 9 ports, one key, each answering its challenges properly
      for (let i = 0; i < 249; i++) {
        const ip = `127.1.${i >> 8}.${(i & 255) + 1}`;
        for (let port = 2000; port < 2009; port++) {
          const u = sim.net.host(ip).udp();
          await u.bind('0.0.0.0', port);
          u.onmessage = (d) => {
            const m = decodeMessage(d);
            if (m.op !== OP.PING) return;
            const salt = new Uint8Array(16).fill(port & 255);
            u.send(encodeMessage({ op: OP.PONG, peers: [], solution: { challenge: m.challenge, salt, pubKey: key.publicKey, sig: sign(key, blake3(m.challenge, salt)) } }), target);
          };
          sybils.push(u);
        }
      }
      expect(sybils).to.have.length(2241);
      const flood = () => {
        for (const u of sybils) u.send(ping(), target);
      };
      for (let s = 0; s < 4; s++) {
        flood();
        await sim.run(1_000);
      }
      const sybilEntries = v.dave.peers().filter((p) => p.address.startsWith('127.1.') && p.id !== 0n);
      expect(sybilEntries, 'one entry per key and family').to.have.length(1);
      expect(v.dave.stats().peersRefused).to.be.greaterThan(2000);
      // the newcomer joins through v while the flood goes on
      const n = await sim.addNode({ edges: [v] });
      const joined = n.dave.waitForActivePeers(1);
      let periods = 0;
      let done = false;
      void joined.then(() => (done = true));
      while (!done && periods < 10) {
        flood();
        await sim.run(1_000);
        periods++;
      }
      expect(done, 'the newcomer is active').to.equal(true);
      expect(periods, 'PING periods the newcomer needed').to.be.at.most(3);
      expect(v.dave.peers().some((p) => p.id === n.dave.id), 'v holds the newcomer').to.equal(true);
    } finally {
      for (const u of sybils) await u.close();
      await sim.close();
    }
  });

  it('a ticket\'s key is checked: an edge proving another key is refused (log, peers), the right key joins', async () => {
    const sim = new Simulation({ seed: 14 });
    try {
      const v = await sim.addNode();
      const wrong = await sim.addNode({ edges: [] });
      // the node's logger is silent in the simulator: watch the peers() view and the counter
      wrong.dave.addEdge(v.address, { publicKey: new Uint8Array(32).fill(5) });
      await sim.run(8_000);
      const edge = wrong.dave.peers().find((p) => p.address === v.address)!;
      expect(edge.edge).to.equal(true);
      expect(edge.id, 'never proved').to.equal(0n);
      expect(edge.active).to.equal(false);
      expect(edge.refused).to.match(/^ticket key mismatch: the ticket says 05050505.*, the node at this address proved [0-9a-f]{64}$/);
      expect(wrong.dave.stats().edgeKeyMismatches).to.be.greaterThan(0);
      expect(wrong.dave.activePeerCount()).to.equal(0);
      const right = await sim.addNode({ edges: [] });
      right.dave.addEdge(v.address, { publicKey: v.dave.publicKey });
      await sim.drive(right.dave.waitForActivePeers(1), 10_000);
      const ok = right.dave.peers().find((p) => p.address === v.address)!;
      expect([ok.id, ok.refused]).to.deep.equal([v.dave.id, null]);
    } finally {
      await sim.close();
    }
  });
});
