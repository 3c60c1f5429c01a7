/**
 * TcpTransport on node:net: one listener, outgoing connections that the
 * caller's signal can cancel (the caller owns the deadline, on its clock),
 * Nagle off (frames are small and latency matters).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type AddrPort, bytesToIp, ipToBytes } from '../wire/address.js';
import type { TcpTransport } from './types.js';

/** Dotted quad for IPv4-mapped addresses, so a plain IPv4 host can dial them. */
function hostOf(a: AddrPort): string {
  return bytesToIp(a.ip);
}

export class NodeTcpTransport implements TcpTransport {
  onconnection: (stream: Duplex, remote: AddrPort) => void = (s) => s.destroy();
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private closing: Promise<void> | null = null;

  listen(host: string, port: number): Promise<AddrPort> {
    const server = net.createServer({ noDelay: true });
    this.server = server;
    server.on('connection', (socket) => {
      if (this.closing) return void socket.destroy();
      this.track(socket);
      let ip: Uint8Array;
      try {
        ip = ipToBytes(socket.remoteAddress ?? '');
      } catch {
        return void socket.destroy();
      }
      this.onconnection(socket, { ip, port: socket.remotePort ?? 0 });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // ipv6Only false: "::" accepts IPv4 too, as the UDP side does
      server.listen({ host, port, ipv6Only: false }, () => {
        server.off('error', reject);
        server.on('error', () => {});
        const a = server.address() as net.AddressInfo;
        resolve({ ip: ipToBytes(a.address), port: a.port });
      });
    });
  }

  connect(to: AddrPort, signal: AbortSignal): Promise<Duplex> {
    if (this.closing) return Promise.reject(new Error('transport closed'));
    if (signal.aborted) return Promise.reject(new Error(`connect to ${hostOf(to)}:${to.port} timed out`));
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostOf(to), port: to.port, noDelay: true });
      this.track(socket);
      const onAbort = () => {
        socket.destroy();
        reject(new Error(`connect to ${hostOf(to)}:${to.port} timed out`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        resolve(socket);
      });
    });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {}); // reported through 'close'; never an uncaught error
    socket.once('close', () => this.sockets.delete(socket));
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const server = this.server;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.closing = new Promise((resolve) => {
      if (server === null || !server.listening) return resolve();
      server.close(() => resolve());
    });
    return this.closing;
  }
}
