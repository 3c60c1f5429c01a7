/**
 * Binding a node's socket pair: UDP on a port, TCP on the next one
 * (spec §10). Port 0 tries free UDP ports until port + 1 is free for TCP
 * too. "::" (dual stack) falls back to 0.0.0.0 on a host without IPv6.
 */
import type { AddrPort } from '../wire/address.js';
import type { SocketFactory, TcpTransport, UdpTransport } from '../transport/types.js';

/** Attempts at finding a free UDP port whose port + 1 is free for TCP. */
const BIND_ATTEMPTS = 32;
const NO_IPV6 = ['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT'];

const codeOf = (err: unknown) => (err as { code?: string } | null)?.code ?? '';

export interface BoundPair {
  udp: UdpTransport;
  tcp: TcpTransport;
  /** The bound UDP address; TCP is on its port + 1. */
  address: AddrPort;
}

/**
 * Binds UDP and TCP on `host`. Rejects with the OS error (EADDRINUSE for
 * a taken fixed port); closes whatever it opened when it fails.
 */
export async function bindPair(sockets: SocketFactory, host: string, port: number): Promise<BoundPair> {
  for (let attempt = 0; ; attempt++) {
    let udp = sockets.udp();
    const tcp = sockets.tcp();
    try {
      let u: AddrPort;
      try {
        u = await udp.bind(host, port);
      } catch (err) {
        if (host !== '::' || !NO_IPV6.includes(codeOf(err))) throw err;
        await udp.close();
        udp = sockets.udp();
        host = '0.0.0.0';
        u = await udp.bind(host, port);
      }
      if (u.port === 0xffff) throw Object.assign(new Error('no room for TCP on port + 1'), { code: 'EADDRINUSE' });
      await tcp.listen(host, u.port + 1);
      return { udp, tcp, address: u };
    } catch (err) {
      await Promise.all([udp.close(), tcp.close()]);
      if (port !== 0 || codeOf(err) !== 'EADDRINUSE' || attempt + 1 >= BIND_ATTEMPTS) throw err;
    }
  }
}
