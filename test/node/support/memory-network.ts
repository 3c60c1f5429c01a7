/**
 * An in-memory network behind the transport interfaces, in real time:
 * datagrams are delivered on the next turn, TCP is a pair of in-process
 * duplex streams. The trust network (trust-net.ts) runs on it; virtual-time
 * runs use lib/sim instead.
 */
import { Duplex } from 'node:stream';
import { type AddrPort, type AddressKey, addrPort, addressKey, bytesToIp } from '../../../lib/wire/address.js';
import type { SocketFactory, TcpTransport, UdpTransport } from '../../../lib/transport/types.js';
import { duplexPair } from '../../../lib/sim/network.js';

export class MemoryNetwork implements SocketFactory {
  private readonly udps = new Map<AddressKey, MemoryUdp>();
  private readonly tcps = new Map<AddressKey, MemoryTcp>();
  private nextPort = 20_000;
  datagrams = 0;

  allocate(port: number): number {
    return port === 0 ? (this.nextPort += 2) : port;
  }

  udp(): UdpTransport {
    return new MemoryUdp(this, this.udps);
  }

  tcp(): TcpTransport {
    return new MemoryTcp(this, this.tcps);
  }
}

class MemoryUdp implements UdpTransport {
  onmessage: (data: Uint8Array, from: AddrPort) => void = () => {};
  private me: AddrPort | null = null;
  constructor(private readonly net: MemoryNetwork, private readonly udps: Map<AddressKey, MemoryUdp>) {}

  async bind(host: string, port: number): Promise<AddrPort> {
    const a = addrPort(host === '::' ? '::1' : host, this.net.allocate(port));
    if (this.udps.has(addressKey(a))) throw Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
    this.udps.set(addressKey(a), this);
    return (this.me = a);
  }

  send(data: Uint8Array, to: AddrPort): boolean {
    const dest = this.udps.get(addressKey(to));
    const from = this.me;
    if (!dest || !from) return true; // lost, as on a real network
    const copy = Uint8Array.from(data);
    this.net.datagrams++;
    setImmediate(() => dest.onmessage(copy, from));
    return true;
  }

  async close(): Promise<void> {
    if (this.me) this.udps.delete(addressKey(this.me));
    this.me = null;
  }
}

class MemoryTcp implements TcpTransport {
  onconnection: (stream: Duplex, remote: AddrPort) => void = (s) => s.destroy();
  private me: AddrPort | null = null;
  private readonly open = new Set<Duplex>();
  constructor(private readonly net: MemoryNetwork, private readonly tcps: Map<AddressKey, MemoryTcp>) {}

  async listen(host: string, port: number): Promise<AddrPort> {
    const a = addrPort(host === '::' ? '::1' : host, port);
    if (this.tcps.has(addressKey(a))) throw Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
    this.tcps.set(addressKey(a), this);
    return (this.me = a);
  }

  async connect(to: AddrPort): Promise<Duplex> {
    const server = this.tcps.get(addressKey(to));
    if (!server) throw Object.assign(new Error(`connection refused: ${bytesToIp(to.ip)}:${to.port}`), { code: 'ECONNREFUSED' });
    const [client, accepted] = duplexPair();
    this.track(client);
    server.track(accepted);
    setImmediate(() => server.onconnection(accepted, addrPort('127.0.0.1', 1)));
    return client;
  }

  private track(s: Duplex): void {
    this.open.add(s);
    s.on('error', () => {});
    s.once('close', () => this.open.delete(s));
  }

  async close(): Promise<void> {
    if (this.me) this.tcps.delete(addressKey(this.me));
    this.me = null;
    for (const s of this.open) s.destroy();
  }
}
