/**
 * Spec §7: authentication, activation and discovery. Between nodes, on the
 * simulator's virtual clock and network at the spec's timings; the checks
 * that need a hand-made peer (FakePeer: unsolicited or replayed PONGs,
 * silence, a GET burst) run on loopback sockets with short timings, a
 * wall clock, and bounded waits.
 */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import { clusterFixture, until } from '../support/cluster.js';
import { FakePeer } from '../support/fake-peer.js';
import { Simulation } from '../../../lib/sim/index.js';

describe('node: authentication and discovery, on the virtual clock', function () {
  this.timeout(30_000);
  let sim: Simulation;
  beforeEach(() => (sim = new Simulation({ seed: 7 })));
  afterEach(() => sim.close());

  it('two nodes authenticate each other and become active', async () => {
    const a = await sim.addNode();
    const b = await sim.addNode({ edges: [a] });
    await sim.run(15_000); // active after ACTIVATE_AFTER_MS (5 s) of answers
    const pa = a.dave.peers();
    const pb = b.dave.peers();
    expect(pa).to.have.length(1);
    expect(pa[0]!.id).to.equal(b.dave.id);
    expect(pa[0]!.active).to.equal(true);
    expect(pb[0]!.id).to.equal(a.dave.id);
    expect(pb[0]!.active).to.equal(true);
    expect(pb[0]!.edge).to.equal(true);
    expect(a.dave.stats().authFailures + b.dave.stats().authFailures).to.equal(0);
  });

  it('five nodes discover each other through one edge', async () => {
    const edge = await sim.addNode();
    const nodes = [edge];
    for (let i = 0; i < 4; i++) nodes.push(await sim.addNode({ edges: [edge] }));
    await sim.run(30_000);
    for (const n of nodes) {
      const ids = n.dave.peers().filter((p) => p.active).map((p) => p.id).sort();
      const others = nodes.filter((m) => m !== n).map((m) => m.dave.id).sort();
      expect(ids).to.deep.equal(others);
    }
  });

  it('exchanges used space and capacity in PINGs', async () => {
    const a = await sim.addNode({ capacity: 1 << 20 });
    const b = await sim.addNode({ edges: [a], capacity: 2 << 20 });
    await sim.run(15_000);
    expect(a.dave.networkUsedSpaceAndCapacity().capacity).to.equal((1 << 20) + (2 << 20));
    expect(b.dave.networkUsedSpaceAndCapacity().capacity).to.equal((1 << 20) + (2 << 20));
  });
});

describe('node: authentication and discovery, with a hand-made peer on loopback', function () {
  this.timeout(20_000);
  const { cluster, fakes } = clusterFixture();

  it('accepts one answer per challenge and rejects a PONG with no challenge', async () => {
    const a = await cluster.open();
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    // unsolicited PONG: a has never challenged this address
    await fake.send(
      { op: OP.PONG, peers: [], solution: { challenge: new Uint8Array(32), salt: new Uint8Array(16), pubKey: fake.key.publicKey, sig: new Uint8Array(64) } },
      a.address(),
    );
    await until(() => a.stats().authFailures >= 1, 2_000, 'the unsolicited PONG to be counted');
    expect(a.peers()).to.have.length(0);
    // a valid PONG, then the same PONG again: the replay finds no challenge
    await fake.send({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n }, a.address());
    await until(() => a.peers().some((p) => p.id !== 0n), 3_000, 'the fake to authenticate');
    fake.answerPings = false;
    const before = a.stats().authFailures;
    await fake.sendRaw(fake.lastPong!.bytes, a.address());
    await until(() => a.stats().authFailures > before, 2_000, 'the replayed PONG to be rejected');
  });

  it('keeps edges for life, drops silent peers', async () => {
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    const silentEdge = await new FakePeer().bind();
    silentEdge.answerPings = false;
    fakes.push(silentEdge);
    const a = await cluster.open({ edges: [silentEdge.address] });
    // the fake pings a, a adds it, a pings back, the fake answers
    const ping = { op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n } as const;
    await fake.send(ping, a.address());
    await until(() => a.peers().some((p) => p.address === fake.address && p.id !== 0n), 3_000, 'the fake to authenticate');
    fake.answerPings = false;
    await until(() => !a.peers().some((p) => p.address === fake.address), 5_000, 'the silent peer to be dropped');
    const edge = a.peers().find((p) => p.address === silentEdge.address);
    expect(edge, 'edge still in the table').to.not.equal(undefined);
    expect(edge!.active).to.equal(false);
  });

  it('skips PONG addresses that are unspecified, multicast or port 0', async () => {
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    fake.pongPeers = [addrPort('0.0.0.0', 4000), addrPort('224.0.0.1', 4000), addrPort('127.0.0.1', 0), addrPort('::', 4000), addrPort('ff02::1', 4000), addrPort('127.0.0.1', 9)];
    const a = await cluster.open({ edges: [fake.address] });
    await until(() => a.stats().packetsIn.PONG >= 1, 3_000, 'a PONG');
    const addrs = a.peers().map((p) => p.address);
    expect(addrs).to.include('127.0.0.1:9');
    expect(addrs).to.have.length(2);
    expect(a.stats().peerAddressesSkipped).to.be.greaterThanOrEqual(5);
  });

  it('authenticates a PONG listing 13 peers but rejects its whole list (docs/protocol.md §7)', async () => {
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    fake.pongPeers = Array.from({ length: 13 }, (_, i) => addrPort('127.0.0.1', 5000 + i));
    const a = await cluster.open({ edges: [fake.address] });
    await until(() => a.peers().some((p) => p.address === fake.address && p.id !== 0n), 3_000, 'the fake to authenticate');
    await until(() => a.stats().peerListsRejected >= 1, 3_000, 'the list to be rejected');
    expect(a.peers().map((p) => p.address)).to.deep.equal([fake.address]);
  });

  it('answers GET only to a peer that proved its key, and sends its peer list only to such peers', async () => {
    const [a, b] = await cluster.star(2);
    await Promise.all([a!.waitForActivePeers(1), b!.waitForActivePeers(1)]);
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    const get = { op: OP.GET, pubKey: new Uint8Array(32), key: Uint8Array.of(1) } as const;
    await fake.send(get, a!.address());
    await until(() => a!.stats().ignoredUnknown === 1, 2_000, 'the GET from a stranger to be ignored');
    // the first PONG to a stranger carries no addresses
    await fake.send({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n }, a!.address());
    await until(() => fake.received.some((m) => m.op === OP.PONG), 2_000, 'a PONG');
    const first = fake.received.find((m) => m.op === OP.PONG);
    expect(first!.op === OP.PONG && first!.peers.length).to.equal(0);
    await until(() => a!.peers().some((p) => p.address === fake.address && p.id !== 0n), 3_000, 'the fake to authenticate');
    await fake.send({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n }, a!.address());
    await until(() => fake.received.some((m) => m.op === OP.PONG && m.peers.length === 1), 2_000, 'a PONG listing b');
    await fake.send(get, a!.address());
    await until(() => fake.received.some((m) => m.op === OP.GET_ACK), 2_000, 'the GET_ACK (not found)');
  });

  it('answers a proven peer at most maxGetAnswersPerPing GETs per PING period, and counts the rest', async () => {
    const budget = 5;
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    // the fake is an edge: pinged (and so proven) at once; a long period keeps the burst inside one
    const a = await cluster.open({ edges: [fake.address], maxGetAnswersPerPing: budget, timings: { pingMs: 5_000 } });
    await until(() => a.peers().some((p) => p.address === fake.address && p.id !== 0n), 3_000, 'the fake to authenticate');
    const pings = () => fake.received.filter((m) => m.op === OP.PING).length;
    const p0 = pings();
    const burst = 40;
    const get = { op: OP.GET, pubKey: new Uint8Array(32), key: Uint8Array.of(1) } as const;
    for (let i = 0; i < burst; i++) await fake.send(get, a.address());
    await until(() => a.stats().packetsIn.GET === burst, 3_000, 'the burst to arrive');
    await until(() => a.stats().packetsOut.GET_ACK + a.stats().getsOverBudget === burst, 3_000, 'every GET answered or dropped');
    const periods = pings() - p0 + 1; // a refill during the burst would allow one more budget
    const answered = a.stats().packetsOut.GET_ACK;
    expect(answered).to.be.at.least(budget);
    expect(answered).to.be.at.most(budget * periods);
    expect(a.stats().getsOverBudget).to.equal(burst - answered);
    // every GET is accounted for in the counters (answered or over budget), so
    // no answer can still come: the fake gets exactly the ones counted
    await until(() => fake.received.filter((m) => m.op === OP.GET_ACK).length === answered, 2_000, 'the answers');
    expect(a.stats().packetsOut.GET_ACK, 'no answer after the burst was decided').to.equal(answered);
  });

  it('rejects a maxGetAnswersPerPing that is not a positive integer', async () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      const err = await cluster.open({ maxGetAnswersPerPing: bad }).catch((e) => e);
      expect(err.code, String(bad)).to.equal('ERR_INVALID_ARGUMENT');
    }
  });
});
