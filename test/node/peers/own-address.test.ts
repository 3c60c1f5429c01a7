/**
 * Spec §8: a node learns its public address from an edge, answers others'
 * GETMYADDRPORT, and never talks to itself. Between two nodes, and with a
 * scripted peer (SimPeer), on the virtual clock, where "never" is checked
 * after the windows have passed; with a hand-made peer (FakePeer) on
 * loopback for what needs real sockets: the order of a real exchange with
 * godave's timing, a node bound to its own edge's port, and dual stack.
 */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { formatAddress, parseAddress } from '../../../lib/wire/address.js';
import { clusterFixture, until } from '../support/cluster.js';
import { FakePeer } from '../support/fake-peer.js';
import { Simulation } from '../../../lib/sim/index.js';
import { SimPeer } from '../support/sim-peer.js';

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
});

describe('node: own address and loopback, with a hand-made peer', function () {
  this.timeout(20_000);
  const { cluster, fakes } = clusterFixture();

  it('answers a GETMYADDRPORT sent before the asker\'s first PING once that PING comes, as godave asks', async () => {
    // godave asks its edge once at start, before it PINGs, then not for 10 min (test/interop)
    const a = await cluster.open();
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    await fake.send({ op: OP.GETMYADDRPORT }, a.address());
    await until(() => a.stats().ignoredUnknown === 1, 2_000, 'the ask to be held');
    expect(a.stats().packetsOut.GETMYADDRPORT_ACK, 'a stranger is not answered at once').to.equal(0);
    await fake.send({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n }, a.address());
    await until(() => fake.received.some((m) => m.op === OP.GETMYADDRPORT_ACK), 2_000, 'the held ask answered');
    const ack = fake.received.find((m) => m.op === OP.GETMYADDRPORT_ACK)!;
    expect(ack.op === OP.GETMYADDRPORT_ACK && formatAddress(ack.addr)).to.equal(fake.address);
    await fake.send({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n }, a.address());
    await until(() => a.stats().packetsIn.PING === 2, 2_000, 'the second PING');
    expect(a.stats().packetsOut.GETMYADDRPORT_ACK, 'answered once').to.equal(1);
  });

  it('rejects a PONG list that holds its own address', async () => {
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    const b = await cluster.open({ edges: [fake.address] });
    fake.pongPeers = [parseAddress(b.address()), parseAddress('127.0.0.1:7')];
    await until(() => b.stats().peerListsRejected > 0, 3_000, 'the list to be rejected');
    expect(b.peers().map((p) => p.address)).to.deep.equal([fake.address]);
  });

  it('drops datagrams from its own address: a node given itself as an edge never peers with itself', async () => {
    const probe = await cluster.open();
    const port = parseAddress(probe.address()).port;
    await cluster.close();
    const a = await cluster.open({ listen: `127.0.0.1:${port}`, edges: [`127.0.0.1:${port}`] });
    await until(() => a.stats().droppedOwnAddress >= 2, 3_000, 'its own PINGs to be dropped');
    expect(a.activePeerCount()).to.equal(0);
    expect(a.stats().packetsIn.PING).to.equal(0);
  });

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
