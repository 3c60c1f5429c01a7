/** The default sockets: node:dgram for UDP, node:net for TCP. */
import { NodeTcpTransport } from './tcp.js';
import { NodeUdpTransport } from './udp.js';
import type { SocketFactory } from './types.js';

export type { SocketFactory, TcpTransport, UdpTransport } from './types.js';
export { NodeTcpTransport, NodeUdpTransport };

export const nodeSockets: SocketFactory = {
  udp: () => new NodeUdpTransport(),
  tcp: () => new NodeTcpTransport(),
};
