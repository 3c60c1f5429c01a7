/**
 * The two sockets a node needs, as small interfaces, so that a simulated
 * network can stand in for node:dgram and node:net. A transport moves
 * bytes and knows nothing of messages, peers or the node above it.
 */
import type { Duplex } from 'node:stream';
import type { AddrPort } from '../wire/address.js';

/** A bound UDP socket. */
export interface UdpTransport {
  /** Called for every datagram; `from.ip` is 16 bytes (IPv4 mapped). */
  onmessage: (data: Uint8Array, from: AddrPort) => void;
  /**
   * Binds to `host` (an IP literal, "::" for dual stack) and `port` (0 for
   * any free port); resolves with the bound address.
   */
  bind(host: string, port: number): Promise<AddrPort>;
  /** Sends one datagram; returns false when it could not be sent (never throws). */
  send(data: Uint8Array, to: AddrPort): boolean;
  /** Closes the socket; safe to call twice. */
  close(): Promise<void>;
}

/** A TCP listener plus an outgoing dialer. */
export interface TcpTransport {
  /** Called for every accepted connection. */
  onconnection: (stream: Duplex, remote: AddrPort) => void;
  /** Listens on `host`:`port`; resolves with the bound address. Rejects with the OS error (e.g. EADDRINUSE). */
  listen(host: string, port: number): Promise<AddrPort>;
  /**
   * Opens a connection; resolves once connected. The caller owns the
   * deadline (on its clock): when `signal` aborts first, the attempt is
   * destroyed and the promise rejects. A transport starts no timer.
   */
  connect(to: AddrPort, signal: AbortSignal): Promise<Duplex>;
  /** Stops listening and destroys accepted connections; safe to call twice. */
  close(): Promise<void>;
}

/** Creates the sockets of one node. The default uses node:dgram and node:net. */
export interface SocketFactory {
  udp(): UdpTransport;
  tcp(): TcpTransport;
}
