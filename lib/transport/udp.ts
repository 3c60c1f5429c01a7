/**
 * UdpTransport on node:dgram. Listening on "::" opens one dual-stack
 * socket (IPv4 peers arrive as ::ffff:a.b.c.d); an IPv4 host opens a udp4
 * socket, which cannot reach IPv6 peers (send returns false).
 */
import dgram from 'node:dgram';
import { type LookupOneOptions, lookup as dnsLookup } from 'node:dns';
import { isIP, isIPv4 } from 'node:net';
import { type AddrPort, bytesToIp, ipToBytes, isMappedIPv4 } from '../wire/address.js';
import { equalBytes } from '../wire/bytes.js';
import type { UdpTransport } from './types.js';

/** Source addresses whose parsed bytes are kept (the parse allocated per datagram). */
const MAX_CACHED_IPS = 1024;

export class NodeUdpTransport implements UdpTransport {
  /** `from.ip` may be shared between datagrams from one host: never write to it. */
  onmessage: (data: Uint8Array, from: AddrPort) => void = () => {};
  /** Parsed source addresses by their text (rinfo.address). */
  private readonly ips = new Map<string, Uint8Array>();
  /**
   * Destination texts by the address arrays sent to (a peer's, or a
   * source's from `ips`: the same arrays come back for every send), with a
   * copy of the bytes the text was made from, so an array written to since
   * is formatted again.
   */
  private readonly hosts = new WeakMap<Uint8Array, { ip: Uint8Array; host: string }>();
  private socket: dgram.Socket | null = null;
  private v4 = false;
  private closing: Promise<void> | null = null;

  bind(host: string, port: number): Promise<AddrPort> {
    this.v4 = isIPv4(host);
    const socket = dgram.createSocket({
      type: this.v4 ? 'udp4' : 'udp6',
      ipv6Only: false,
      // large buffers: a burst of PUTs or PINGs should queue, not drop, in the kernel
      recvBufferSize: 4 << 20,
      sendBufferSize: 4 << 20,
      lookup: literalLookup,
    });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      let ip = this.ips.get(rinfo.address);
      if (ip === undefined) {
        try {
          ip = ipToBytes(rinfo.address);
        } catch {
          return;
        }
        // bounded: a flood from many sources only empties it
        if (this.ips.size >= MAX_CACHED_IPS) this.ips.clear();
        this.ips.set(rinfo.address, ip);
      }
      this.onmessage(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), { ip, port: rinfo.port });
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        socket.on('error', () => {}); // ICMP errors and the like: a datagram socket carries on
        const a = socket.address();
        resolve({ ip: ipToBytes(a.address), port: a.port });
      });
    });
  }

  send(data: Uint8Array, to: AddrPort): boolean {
    const socket = this.socket;
    if (socket === null || this.closing !== null) return false;
    if (this.v4 && !isMappedIPv4(to.ip)) return false;
    const host = this.hostOf(to.ip);
    try {
      socket.send(data, to.port, host);
      return true;
    } catch {
      return false;
    }
  }

  /** The text socket.send takes for `ip`: formatting it allocated per datagram, so it is kept per array. */
  private hostOf(ip: Uint8Array): string {
    const known = this.hosts.get(ip);
    if (known !== undefined && equalBytes(known.ip, ip)) return known.host;
    const host = this.v4 || !isMappedIPv4(ip) ? bytesToIp(ip) : `::ffff:${bytesToIp(ip)}`;
    this.hosts.set(ip, { ip: ip.slice(), host });
    return host;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const socket = this.socket;
    this.closing = new Promise((resolve) => {
      if (socket === null) return resolve();
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // never bound
      }
    });
    return this.closing;
  }
}

/**
 * The socket's name lookup. Every send names an IP literal (hostOf), which
 * dns.lookup answers on the next tick, so each datagram waited a tick and
 * allocated its callback: a literal is answered at once, in the send call;
 * a name (bind's host, say) still goes to dns.lookup.
 */
function literalLookup(address: string, options: LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const literal = isIP(address);
  if (literal !== 0) callback(null, address, literal);
  else if (typeof options === 'number') dnsLookup(address, options, callback);
  else dnsLookup(address, options, callback);
}
