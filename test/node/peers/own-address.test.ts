/**
 * Spec §8: a node learns its public address from an edge, answers others'
 * GETMYADDRPORT, and never talks to itself. Between two nodes, and with a
 * scripted peer (SimPeer), on the virtual clock, where "never" is checked
 * after the windows have passed; on real sockets only dual stack, which is
 * the operating system's behaviour (an IPv4 datagram reaching a [::] socket).
 */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { formatAddress, parseAddress } from '../../../lib/wire/address.js';
import { clusterFixture, until } from '../support/cluster.js';
import { Simulation } from '../../../lib/sim/index.js';
import { SimPeer } from '../support/sim-peer.js';

const PING = { op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n } as const;

describe('node: own address, on the virtual clock', function () {
  this.timeout(30_000);

  it('learns its address from an edge with GETMYADDRPORT', async () => {
    const sim = new Simulation({ seed: 5 });
    try {
      const a = await sim.addNode();
      const b = await sim.addNode({ edges: [a] });
      expect(b.dave.publicAddress()).to.equal(null);
      await sim.run(10_000);
      expect(b.dave.publicAddress()).to.equal(b.dave.address());
      expect(a.dave.stats().packetsOut.GETMYADDRPORT_ACK).to.be.greaterThan(0);
      expect(a.dave.publicAddress(), 'a has no edge to ask').to.equal(null);
    } finally {
      await sim.close();
    }
  });

  it('never answers a GETMYADDRPORT from an address that does not PING, however long it waits', async () => {
    const sim = new Simulation({ seed: 6 });
    try {
      const a = await sim.addNode();
      const stranger = await SimPeer.on(sim);
      stranger.send({ op: OP.GETMYADDRPORT }, a.address);
      await sim.run(1_000);
      expect(a.dave.stats().ignoredUnknown, 'the ask arrived and was held').to.equal(1);
      await sim.run(10 * 60_000); // past every window: the hold, pings, pruning
      expect(stranger.received.map((m) => m.op)).to.deep.equal([]);
      expect(a.dave.stats().packetsOut.GETMYADDRPORT_ACK).to.equal(0);
    } finally {
      await sim.close();
    }
  });

  it('takes a GETMYADDRPORT_ACK only from an edge', async () => {
    const sim = new Simulation({ seed: 7 });
    try {
      const a = await sim.addNode();
      const stranger = await SimPeer.on(sim);
      stranger.send({ op: OP.GETMYADDRPORT_ACK, addr: parseAddress('127.0.0.1:9') }, a.address);
      await sim.run(60_000);
      expect(a.dave.stats().packetsIn.GETMYADDRPORT_ACK).to.equal(1);
      expect(a.dave.publicAddress()).to.equal(null);
    } finally {
      await sim.close();
    }
  });

  it('answers a GETMYADDRPORT sent before the asker\'s first PING once that PING comes, as godave asks', async () => {
    // godave asks its edge once at start, before it PINGs, then not for 10 min (test/interop)
    const sim = new Simulation({ seed: 8 });
    try {
      const a = await sim.addNode();
      const peer = await SimPeer.on(sim);
      peer.send({ op: OP.GETMYADDRPORT }, a.address);
      await sim.run(500);
      expect(a.dave.stats().ignoredUnknown, 'the ask held').to.equal(1);
      expect(a.dave.stats().packetsOut.GETMYADDRPORT_ACK, 'a stranger is not answered at once').to.equal(0);
      peer.send(PING, a.address);
      await sim.run(500);
      const ack = peer.received.find((m) => m.op === OP.GETMYADDRPORT_ACK);
      expect(ack && ack.op === OP.GETMYADDRPORT_ACK && formatAddress(ack.addr), 'the held ask answered').to.equal(peer.address);
      peer.send(PING, a.address);
      await sim.run(60_000); // past every window
      expect(a.dave.stats().packetsIn.PING).to.equal(2);
      expect(a.dave.stats().packetsOut.GETMYADDRPORT_ACK, 'answered once').to.equal(1);
      expect(peer.count(OP.GETMYADDRPORT_ACK)).to.equal(1);
    } finally {
      await sim.close();
    }
  });

  it('rejects a PONG list that holds its own address', async () => {
    const sim = new Simulation({ seed: 9 });
    try {
      const peer = await SimPeer.on(sim);
      // the node's address is known before it opens: the simulation's first host
      peer.pongPeers = [parseAddress('10.0.1.1:1618'), parseAddress('203.0.113.7:7')];
      const b = await sim.addNode({ edges: [peer.address] });
      expect(b.address).to.equal('10.0.1.1:1618');
      await sim.run(60_000);
      expect(b.dave.stats().peerListsRejected).to.be.greaterThan(0);
      expect(b.dave.peers().map((p) => p.address)).to.deep.equal([peer.address]);
    } finally {
      await sim.close();
    }
  });

  it('drops datagrams from its own address: a node given itself as an edge never peers with itself', async () => {
    const sim = new Simulation({ seed: 10 });
    try {
      const a = await sim.addNode({ edges: ['10.0.1.1:1618'] });
      expect(a.address).to.equal('10.0.1.1:1618');
      await sim.run(60_000);
      expect(a.dave.stats().droppedOwnAddress).to.be.greaterThanOrEqual(2);
      expect(a.dave.activePeerCount()).to.equal(0);
      expect(a.dave.stats().packetsIn.PING).to.equal(0);
    } finally {
      await sim.close();
    }
  });
});

describe('node: own address on real sockets', function () {
  this.timeout(20_000);
  const { cluster } = clusterFixture();

  // real sockets: an IPv4 datagram reaching a dual-stack [::] socket is the OS's behaviour, which the simulator does not model
  it('recognises itself behind a dual-stack address by its own key', async () => {
    const probe = await cluster.open({ listen: '[::]:0' });
    const port = parseAddress(probe.address()).port;
    await cluster.close();
    const a = await cluster.open({ listen: `[::]:${port}`, edges: [`127.0.0.1:${port}`] });
    await until(() => a.publicAddress() !== null, 3_000, 'the node to notice it answered itself');
    expect(a.publicAddress()).to.equal(`127.0.0.1:${port}`);
    expect(a.activePeerCount()).to.equal(0);
  });
});
