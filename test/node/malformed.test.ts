/**
 * Spec §6 and §10: malformed and truncated input is counted and dropped,
 * never thrown; the node keeps serving through a storm of it. Datagrams
 * from a scripted peer (SimPeer) on the virtual clock; raw TCP clients on
 * real sockets.
 */
import { expect } from 'chai';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { OP } from '../../lib/constants.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { parseAddress } from '../../lib/wire/address.js';
import { encodeMessage } from '../../lib/wire/message.js';
import { clusterFixture, until } from './support/cluster.js';
import { Simulation } from '../../lib/sim/index.js';
import { SimPeer } from './support/sim-peer.js';

function tcpTo(address: string): Promise<net.Socket> {
  const a = parseAddress(address);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: a.port + 1 }, () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: net.Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

describe('node: malformed input over TCP, on real sockets', function () {
  this.timeout(30_000);
  const { cluster } = clusterFixture();

  // real TCP: a raw client socket writes bad frames and the node's read deadline ends it
  it('ends a TCP connection on an oversized frame, on a frame that does not decode, and on a silent reader deadline', async () => {
    const a = await cluster.open({ timings: { frameTimeoutMs: 200 } });
    const s1 = await tcpTo(a.address());
    s1.write(Uint8Array.of(0xff, 0xff, 1, 2, 3));
    await closed(s1);
    const s2 = await tcpTo(a.address());
    s2.write(Uint8Array.of(3, 0, 2, 9, 9)); // a 3-byte PUT that does not decode
    await closed(s2);
    const s3 = await tcpTo(a.address());
    s3.write(Uint8Array.of(10, 0, 2)); // a frame that never completes
    await closed(s3);
    await until(() => a.stats().tcpDropped === 3, 2_000, 'three dropped connections');
    expect(a.stats().malformed).to.equal(2);
    // and the listener still accepts a well-formed stream
    const dat = await createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(randomBytes(32)) });
    const s4 = await tcpTo(a.address());
    const msg = encodeMessage({ op: OP.PUT, entry: { dat, replicas: [a.id, 0n, 0n, 0n, 0n] } });
    const frame = new Uint8Array(2 + msg.length);
    frame[0] = msg.length & 0xff;
    frame[1] = msg.length >> 8;
    frame.set(msg, 2);
    s4.end(frame);
    await until(() => a.usedSpace() > 0, 3_000, 'the record sent over TCP');
    s4.destroy();
  });

  // real TCP: a raw client keeps writing PING frames on a wall-clock interval
  it('non-PUT frames do not reset the TCP read deadline', async () => {
    const a = await cluster.open({ timings: { frameTimeoutMs: 300 } });
    const s = await tcpTo(a.address());
    const ping = encodeMessage({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n });
    const frame = new Uint8Array(2 + ping.length);
    frame[0] = ping.length & 0xff;
    frame[1] = ping.length >> 8;
    frame.set(ping, 2);
    const started = Date.now();
    const keepAlive = setInterval(() => s.writable && s.write(frame), 50);
    try {
      await Promise.race([closed(s), new Promise((r) => setTimeout(r, 2_000))]);
    } finally {
      clearInterval(keepAlive);
    }
    expect(s.destroyed, 'the connection was kept open by PINGs').to.equal(true);
    expect(Date.now() - started).to.be.lessThan(2_000);
    expect(a.stats().packetsIn.PING).to.be.greaterThan(0);
    await until(() => a.stats().tcpDropped === 1, 2_000, 'the dropped connection');
  });

  // real TCP: connections from one host accepted, refused and freed by the OS's sockets
  it('caps inbound TCP connections per host', async () => {
    const a = await cluster.open({ maxInboundPerHost: 2, timings: { frameTimeoutMs: 5_000 } });
    const s1 = await tcpTo(a.address());
    const s2 = await tcpTo(a.address());
    await until(() => a.stats().tcpAccepted === 2, 2_000, 'two accepted connections');
    const s3 = await tcpTo(a.address());
    await closed(s3); // refused: the host holds its two slots
    expect(a.stats().tcpAccepted).to.equal(2);
    expect(s1.destroyed || s2.destroyed).to.equal(false);
    // a slot freed is a slot available again
    s1.destroy();
    await closed(s1);
    await new Promise((r) => setTimeout(r, 100));
    const s4 = await tcpTo(a.address());
    await until(() => a.stats().tcpAccepted === 3, 2_000, 'the freed slot taken');
    expect(s4.destroyed).to.equal(false);
    s2.destroy();
    s4.destroy();
  });

});

describe('node: malformed datagrams, on the virtual clock', function () {
  this.timeout(60_000);
  let sim: Simulation;
  beforeEach(() => (sim = new Simulation({ seed: 43 })));
  afterEach(() => sim.close());

  it('a storm of malformed and truncated datagrams leaves the node serving', async () => {
    const a = await sim.addNode();
    const b = await sim.addNode({ edges: [a] });
    await sim.run(15_000);
    const rng = sim.rng.fork('storm');
    const dat = await sim.record(rng.bytes(32), 'survivor', 'still here');
    await sim.drive(b.dave.put(dat));
    expect(a.dave.usedSpace(), 'the record on a').to.be.greaterThan(0);

    const peer = await SimPeer.on(sim);
    const valid = [
      encodeMessage({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 1n, capacity: 2n }),
      encodeMessage({ op: OP.PUT, entry: { dat, replicas: [1n, 2n, 3n, 4n, 5n] } }),
      encodeMessage({ op: OP.GET, pubKey: dat.pubKey, key: dat.key }),
      encodeMessage({ op: OP.GETMYADDRPORT_ACK, addr: parseAddress('1.2.3.4:5') }),
    ];
    const below = (n: number) => Math.floor(rng.float() * n);
    let sent = 0;
    for (let i = 0; i < 3000; i++) {
      let pkt: Uint8Array;
      const kind = i % 4;
      if (kind === 0) pkt = rng.bytes(1 + below(1500));
      else if (kind === 1) {
        const v = valid[i % valid.length]!;
        pkt = v.subarray(0, below(v.length)); // truncated
      } else if (kind === 2) {
        const v = Uint8Array.from(valid[(i >> 2) % valid.length]!);
        v[1 + below(v.length - 1)]! ^= 0xff; // a flipped byte
        pkt = v;
      } else pkt = Uint8Array.of(3 + (i % 2) * 200, ...rng.bytes(20)); // PUT_ACK or unknown op
      if (pkt.length === 0) pkt = Uint8Array.of(0xff);
      peer.sendRaw(pkt, a.address);
      sent++;
      if (i % 200 === 0) await sim.run(1);
    }
    expect(sent).to.equal(3000);
    await sim.run(60_000); // every datagram delivered and handled
    const s = a.dave.stats();
    expect(s.malformed).to.be.greaterThan(1000);
    expect(s.packetsIn.PUT_ACK).to.equal(0);
    // still serving: a third node reads the record, asking a and b
    const acks = a.dave.stats().packetsOut.GET_ACK;
    const c = await sim.addNode({ edges: [a] });
    await sim.run(15_000);
    expect(c.dave.activePeerCount(), 'a, b (and the scripted peer, which answers PINGs)').to.be.at.least(2);
    const got = await sim.drive(c.dave.get(dat.pubKey, 'survivor'));
    expect(Buffer.from(got.dat.value).toString()).to.equal('still here');
    await sim.run(1_000);
    expect(a.dave.stats().packetsOut.GET_ACK, 'a answered the GET').to.be.greaterThan(acks);
    expect(a.dave.activePeerCount()).to.be.greaterThan(0);
  });

  it('a bad record over UDP is counted as a verification failure and not stored', async () => {
    const a = await sim.addNode();
    const peer = await SimPeer.on(sim);
    const dat = await sim.record(sim.rng.fork('owner').bytes(32), 'k', 'v');
    const bad = { ...dat, sig: Uint8Array.from(dat.sig).fill(7, 0, 8) };
    // from a stranger, a UDP PUT is not even looked at
    peer.send({ op: OP.PUT, entry: { dat: bad, replicas: [0n, 0n, 0n, 0n, 0n] } }, a.address);
    await sim.run(60_000);
    expect(a.dave.stats().ignoredUnknown, 'the stranger\'s PUT ignored').to.equal(1);
    expect(a.dave.stats().verifyFailures, 'not even verified').to.equal(0);
    peer.send({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n }, a.address);
    await sim.run(3_000);
    expect(a.dave.peers().some((p) => p.id !== 0n), 'the peer proved its key').to.equal(true);
    peer.send({ op: OP.PUT, entry: { dat: bad, replicas: [0n, 0n, 0n, 0n, 0n] } }, a.address);
    await sim.run(60_000);
    expect(a.dave.stats().verifyFailures).to.equal(1);
    expect(a.dave.usedSpace()).to.equal(0);
    // the good one is stored; sent again, it is not verified again
    const entry = { dat, replicas: [0n, 0n, 0n, 0n, 0n] };
    peer.send({ op: OP.PUT, entry }, a.address);
    await sim.run(1_000);
    expect(a.dave.stats().recordsStored).to.equal(1);
    peer.send({ op: OP.PUT, entry }, a.address);
    await sim.run(1_000);
    expect(a.dave.stats().verifySkipped, 'the identical record skips verification').to.equal(1);
    expect(a.dave.stats().refused.ERR_DUPLICATE).to.equal(1);
  });
});
