/**
 * Spec §6 and §10: malformed and truncated input is counted and dropped,
 * never thrown; the node keeps serving through a storm of it.
 */
import { expect } from 'chai';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { OP } from '../../lib/constants.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { parseAddress } from '../../lib/wire/address.js';
import { encodeMessage } from '../../lib/wire/message.js';
import { clusterFixture, until } from './support/cluster.js';
import { FakePeer } from './support/fake-peer.js';

function tcpTo(address: string): Promise<net.Socket> {
  const a = parseAddress(address);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port: a.port + 1 }, () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: net.Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

describe('node: malformed input', function () {
  this.timeout(30_000);
  const { cluster, fakes } = clusterFixture();

  it('a storm of malformed and truncated datagrams leaves the node serving', async () => {
    const [a, b] = await cluster.star(2);
    await Promise.all([a!.waitForActivePeers(1), b!.waitForActivePeers(1)]);
    const seed = new Uint8Array(randomBytes(32));
    const dat = await createDat({ key: 'survivor', value: 'still here', privateKey: seed });
    await b!.put(dat);
    await until(() => a!.usedSpace() > 0, 5_000, 'the record on a');

    const fake = await new FakePeer().bind();
    fakes.push(fake);
    const valid = [
      encodeMessage({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 1n, capacity: 2n }),
      encodeMessage({ op: OP.PUT, entry: { dat, replicas: [1n, 2n, 3n, 4n, 5n] } }),
      encodeMessage({ op: OP.GET, pubKey: dat.pubKey, key: dat.key }),
      encodeMessage({ op: OP.GETMYADDRPORT_ACK, addr: parseAddress('1.2.3.4:5') }),
    ];
    let sent = 0;
    for (let i = 0; i < 3000; i++) {
      let pkt: Uint8Array;
      const kind = i % 4;
      if (kind === 0) pkt = new Uint8Array(randomBytes(1 + Math.floor(Math.random() * 1500)));
      else if (kind === 1) {
        const v = valid[i % valid.length]!;
        pkt = v.subarray(0, Math.floor(Math.random() * v.length)); // truncated
      } else if (kind === 2) {
        const v = Uint8Array.from(valid[(i >> 2) % valid.length]!);
        v[1 + Math.floor(Math.random() * (v.length - 1))] ^= 0xff; // a flipped byte
        pkt = v;
      } else pkt = Uint8Array.of(3 + (i % 2) * 200, ...randomBytes(20)); // PUT_ACK or unknown op
      await fake.sendRaw(pkt, a!.address());
      sent++;
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(sent).to.equal(3000);
    await until(() => a!.stats().malformed >= 1000, 5_000, 'the malformed datagrams to be counted');
    const s = a!.stats();
    expect(s.malformed).to.be.greaterThan(1000);
    expect(s.packetsIn.PUT_ACK).to.equal(0);
    // still serving: a third node reads the record, asking a and b
    const acks = a!.stats().packetsOut.GET_ACK;
    const c = await cluster.open({ edges: [a!.address()] });
    await c.waitForActivePeers(2);
    const got = await c.get(dat.pubKey, 'survivor');
    expect(Buffer.from(got.dat.value).toString()).to.equal('still here');
    await until(() => a!.stats().packetsOut.GET_ACK > acks, 2_000, 'a to answer the GET');
    expect(a!.activePeerCount()).to.be.greaterThan(0);
  });

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

  it('a bad record over UDP is counted as a verification failure and not stored', async () => {
    const a = await cluster.open();
    const fake = await new FakePeer().bind();
    fakes.push(fake);
    const dat = await createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(randomBytes(32)) });
    const bad = { ...dat, sig: Uint8Array.from(dat.sig).fill(7, 0, 8) };
    // from a stranger, a UDP PUT is not even looked at
    await fake.send({ op: OP.PUT, entry: { dat: bad, replicas: [0n, 0n, 0n, 0n, 0n] } }, a.address());
    await until(() => a.stats().ignoredUnknown === 1, 2_000, 'the stranger\'s PUT to be ignored');
    await fake.send({ op: OP.PING, challenge: new Uint8Array(32), usedSpace: 0n, capacity: 0n }, a.address());
    await until(() => a.peers().some((p) => p.id !== 0n), 3_000, 'the fake to prove its key');
    await fake.send({ op: OP.PUT, entry: { dat: bad, replicas: [0n, 0n, 0n, 0n, 0n] } }, a.address());
    await until(() => a.stats().verifyFailures === 1, 2_000, 'the verification failure');
    expect(a.usedSpace()).to.equal(0);
    // the good one is stored; sent again, it is not verified again
    const entry = { dat, replicas: [0n, 0n, 0n, 0n, 0n] };
    await fake.send({ op: OP.PUT, entry }, a.address());
    await until(() => a.stats().recordsStored === 1, 2_000, 'the record');
    await fake.send({ op: OP.PUT, entry }, a.address());
    await until(() => a.stats().verifySkipped === 1, 2_000, 'the identical record to skip verification');
    expect(a.stats().refused.ERR_DUPLICATE).to.equal(1);
  });
});
