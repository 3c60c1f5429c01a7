/** The node:dgram and node:net transports, on loopback. */
import { expect } from 'chai';
import type { Duplex } from 'node:stream';
import { NodeTcpTransport, NodeUdpTransport } from '../../lib/transport/index.js';
import { type AddrPort, addrPort, formatAddress } from '../../lib/wire/address.js';

describe('transport/udp', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  it('delivers datagrams with IPv4 sources in mapped form, between udp4 and dual-stack sockets', async () => {
    const a = new NodeUdpTransport();
    const b = new NodeUdpTransport();
    open.push(a, b);
    const ba = await a.bind('127.0.0.1', 0);
    const bb = await b.bind('::', 0);
    expect(formatAddress(ba)).to.match(/^127\.0\.0\.1:\d+$/);
    const got = new Promise<[Uint8Array, AddrPort]>((r) => (b.onmessage = (d, f) => r([Uint8Array.from(d), f])));
    expect(a.send(Uint8Array.of(1, 2, 3), addrPort('127.0.0.1', bb.port))).to.equal(true);
    const [data, from] = await got;
    expect([...data]).to.deep.equal([1, 2, 3]);
    expect(formatAddress(from)).to.equal(`127.0.0.1:${ba.port}`);
    // and back, from the dual-stack socket to the IPv4 one
    const back = new Promise<Uint8Array>((r) => (a.onmessage = (d) => r(Uint8Array.from(d))));
    expect(b.send(Uint8Array.of(9), from)).to.equal(true);
    expect([...(await back)]).to.deep.equal([9]);
  });

  it('a datagram is on its way when send() returns (closing at once loses nothing), to the address its array holds now', async () => {
    const a = new NodeUdpTransport();
    const b = new NodeUdpTransport();
    const c = new NodeUdpTransport();
    open.push(b, c);
    await a.bind('::', 0);
    const bb = await b.bind('::1', 0);
    const bc = await c.bind('127.0.0.1', 0);
    const atB = new Promise<number[]>((r) => (b.onmessage = (d) => r([...d])));
    const atC = new Promise<number[]>((r) => (c.onmessage = (d) => r([...d])));
    const to = addrPort('::1', bb.port);
    expect(a.send(Uint8Array.of(1), to)).to.equal(true);
    // the same array, written to: the destination text kept for it must not be used
    to.ip.set(addrPort('127.0.0.1', 0).ip);
    to.port = bc.port;
    expect(a.send(Uint8Array.of(2), to)).to.equal(true);
    await a.close(); // in the same turn as the sends
    expect(await atB).to.deep.equal([1]);
    expect(await atC).to.deep.equal([2]);
  });

  it('a udp4 socket cannot send to IPv6 and says so; close is safe twice; send after close is refused', async () => {
    const a = new NodeUdpTransport();
    await a.bind('127.0.0.1', 0);
    expect(a.send(Uint8Array.of(1), addrPort('::1', 9))).to.equal(false);
    await a.close();
    await a.close();
    expect(a.send(Uint8Array.of(1), addrPort('127.0.0.1', 9))).to.equal(false);
  });
});

describe('transport/tcp', () => {
  it('accepts connections and carries bytes both ways; close destroys accepted connections', async () => {
    const server = new NodeTcpTransport();
    const client = new NodeTcpTransport();
    const bound = await server.listen('127.0.0.1', 0);
    const accepted = new Promise<[Duplex, AddrPort]>((r) => (server.onconnection = (s, a) => r([s, a])));
    const c = await client.connect(bound, AbortSignal.timeout(1_000));
    const [s, remote] = await accepted;
    expect(formatAddress(remote)).to.match(/^127\.0\.0\.1:\d+$/);
    const echoed = new Promise<Buffer>((r) => c.once('data', r));
    s.on('data', (d: Buffer) => s.write(d));
    c.write(Buffer.from('hello'));
    expect((await echoed).toString()).to.equal('hello');
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    await server.close();
    await server.close();
    await closed;
    await client.close();
  });

  it('connect rejects when nobody listens', async () => {
    const t = new NodeTcpTransport();
    const probe = new NodeTcpTransport();
    const bound = await probe.listen('127.0.0.1', 0);
    await probe.close();
    const err = await t.connect(bound, AbortSignal.timeout(1_000)).catch((e) => e);
    expect(err).to.be.instanceOf(Error);
    await t.close();
  });
});
