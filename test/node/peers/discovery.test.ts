/**
 * Spec §7: authentication, activation and discovery, on the simulator's
 * virtual clock and network at the spec's timings: between nodes, and with
 * a scripted peer (SimPeer: unsolicited or replayed PONGs, silence, a GET
 * burst). A negative check ("never", "nothing more") is made after virtual
 * time has passed every window that could still change it.
 */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import { Simulation } from '../../../lib/sim/index.js';
import { SimPeer } from '../support/sim-peer.js';

const PING = { op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n } as const;
const GET = { op: OP.GET, pubKey: new Uint8Array(32), key: Uint8Array.of(1) } as const;
/** Past every window of docs/protocol.md §7 (activation, deactivation, drop) several times over. */
const QUIET_MS = 60_000;
/** A new peer is challenged on the node's next PING round (PING_MS, 1 s); three rounds. */
const PROVE_MS = 3_000;

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

describe('node: authentication and discovery, with a scripted peer, on the virtual clock', function () {
  this.timeout(30_000);
  let sim: Simulation;
  beforeEach(() => (sim = new Simulation({ seed: 8 })));
  afterEach(() => sim.close());

  it('accepts one answer per challenge and rejects a PONG with no challenge', async () => {
    const a = await sim.addNode();
    const peer = await SimPeer.on(sim);
    // unsolicited PONG: a has never challenged this address
    peer.send(
      { op: OP.PONG, peers: [], solution: { challenge: new Uint8Array(32), salt: new Uint8Array(16), pubKey: peer.key.publicKey, sig: new Uint8Array(64) } },
      a.address,
    );
    await sim.run(QUIET_MS);
    expect(a.dave.stats().authFailures, 'the unsolicited PONG').to.equal(1);
    expect(a.dave.peers()).to.have.length(0);
    // a valid PONG, then the same PONG again before a's next challenge: the replay finds none
    peer.send(PING, a.address);
    const proved = () => a.dave.peers().some((p) => p.address === peer.address && p.id !== 0n);
    for (let ms = 0; ms < PROVE_MS && !proved(); ms++) await sim.run(1);
    expect(proved(), 'the peer proved its key').to.equal(true);
    peer.answerPings = false;
    const before = a.dave.stats().authFailures;
    const pingsBefore = peer.count(OP.PING);
    peer.sendRaw(peer.lastPong!.bytes, a.address);
    await sim.run(60); // one latency (at most 50 ms), inside the ping period
    expect(peer.count(OP.PING), 'no new challenge yet: the replay meets the one it answered').to.equal(pingsBefore);
    expect(a.dave.stats().authFailures, 'the replayed PONG').to.equal(before + 1);
  });

  it('keeps edges for life, drops silent peers', async () => {
    const peer = await SimPeer.on(sim, '192.0.2.7');
    const silentEdge = await SimPeer.on(sim, '198.51.100.7');
    silentEdge.answerPings = false;
    const a = await sim.addNode({ edges: [silentEdge.address] });
    // the peer pings a, a adds it, a pings back, the peer answers
    peer.send(PING, a.address);
    await sim.run(PROVE_MS);
    expect(a.dave.peers().some((p) => p.address === peer.address && p.id !== 0n), 'the peer proved its key').to.equal(true);
    peer.answerPings = false;
    await sim.run(QUIET_MS);
    expect(a.dave.peers().some((p) => p.address === peer.address), 'the silent peer dropped').to.equal(false);
    const edge = a.dave.peers().find((p) => p.address === silentEdge.address);
    expect(edge, 'edge still in the table').to.not.equal(undefined);
    expect(edge!.active).to.equal(false);
    expect(silentEdge.count(OP.PING), 'the silent edge is still pinged').to.be.greaterThan(QUIET_MS / 2_000);
  });

  it('skips PONG addresses that are unspecified, multicast or port 0', async () => {
    const peer = await SimPeer.on(sim, '192.0.2.7');
    // the one dialable address listed: a peer that answers (an address that never
    // does is forgotten after 3 PINGs, docs/protocol.md §7)
    const listed = await SimPeer.on(sim, '198.51.100.7');
    peer.pongPeers = [addrPort('0.0.0.0', 4000), addrPort('224.0.0.1', 4000), addrPort('192.0.2.9', 0), addrPort('::', 4000), addrPort('ff02::1', 4000), listed.bound];
    const a = await sim.addNode({ edges: [peer.address] });
    await sim.run(QUIET_MS);
    expect(a.dave.stats().packetsIn.PONG).to.be.greaterThan(0);
    expect(a.dave.peers().map((p) => p.address).sort()).to.deep.equal([peer.address, listed.address].sort());
    expect(listed.count(OP.PING), 'the listed peer is pinged').to.be.greaterThan(0);
    expect(a.dave.stats().peerAddressesSkipped).to.be.greaterThanOrEqual(5);
  });

  it('authenticates a PONG listing 13 peers but rejects its whole list (docs/protocol.md §7)', async () => {
    const peer = await SimPeer.on(sim);
    peer.pongPeers = Array.from({ length: 13 }, (_, i) => addrPort('203.0.113.7', 5000 + i));
    const a = await sim.addNode({ edges: [peer.address] });
    await sim.run(QUIET_MS);
    expect(a.dave.peers().some((p) => p.address === peer.address && p.id !== 0n), 'the peer proved its key').to.equal(true);
    expect(a.dave.stats().peerListsRejected).to.be.greaterThan(0);
    expect(a.dave.peers().map((p) => p.address)).to.deep.equal([peer.address]);
  });

  it('answers GET only to a peer that proved its key, and sends its peer list only to such peers', async () => {
    const a = await sim.addNode();
    await sim.addNode({ edges: [a] });
    await sim.run(15_000);
    expect(a.dave.activePeerCount()).to.equal(1);
    const peer = await SimPeer.on(sim);
    peer.answerPings = false; // a stranger that has not proved its key
    peer.send(GET, a.address);
    await sim.run(QUIET_MS);
    expect(a.dave.stats().ignoredUnknown, 'the GET from a stranger').to.equal(1);
    expect(peer.count(OP.GET_ACK), 'no answer to a stranger').to.equal(0);
    // the first PONG to a stranger carries no addresses
    peer.answerPings = true;
    peer.send(PING, a.address);
    await sim.run(PROVE_MS);
    const first = peer.received.find((m) => m.op === OP.PONG);
    expect(first!.op === OP.PONG && first!.peers.length).to.equal(0);
    expect(a.dave.peers().some((p) => p.address === peer.address && p.id !== 0n), 'the peer proved its key').to.equal(true);
    peer.send(PING, a.address);
    await sim.run(1_000);
    expect(peer.received.some((m) => m.op === OP.PONG && m.peers.length === 1), 'a PONG listing b').to.equal(true);
    peer.send(GET, a.address);
    await sim.run(1_000);
    expect(peer.count(OP.GET_ACK), 'the GET_ACK (not found)').to.equal(1);
  });

  it('answers a proven peer at most maxGetAnswersPerPing GETs per PING period, and counts the rest', async () => {
    const budget = 5;
    const peer = await SimPeer.on(sim);
    // the peer is an edge: pinged (and so proven) at once; a long period keeps the burst inside one
    const a = await sim.addNode({ edges: [peer.address], dave: { maxGetAnswersPerPing: budget, timings: { pingMs: 5_000 } } });
    await sim.run(1_000);
    expect(a.dave.peers().some((p) => p.address === peer.address && p.id !== 0n), 'the peer proved its key').to.equal(true);
    const pings = () => peer.count(OP.PING);
    const p0 = pings();
    const burst = 40;
    for (let i = 0; i < burst; i++) peer.send(GET, a.address);
    await sim.run(1_000);
    const periods = pings() - p0 + 1; // a refill during the burst would allow one more budget
    expect(a.dave.stats().packetsIn.GET).to.equal(burst);
    const answered = a.dave.stats().packetsOut.GET_ACK;
    expect(answered).to.be.at.least(budget);
    expect(answered).to.be.at.most(budget * periods);
    expect(a.dave.stats().getsOverBudget).to.equal(burst - answered);
    // past every window: no late answer to the burst
    await sim.run(QUIET_MS);
    expect(peer.count(OP.GET_ACK), 'the answers, and no more').to.equal(answered);
    expect(a.dave.stats().packetsOut.GET_ACK).to.equal(answered);
  });

  it('rejects a maxGetAnswersPerPing that is not a positive integer', async () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      const err = await sim.addNode({ dave: { maxGetAnswersPerPing: bad } }).catch((e) => e);
      expect(err.code, String(bad)).to.equal('ERR_INVALID_ARGUMENT');
    }
  });
});
