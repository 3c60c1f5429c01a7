/**
 * Binding a node's socket pair: UDP on a port, TCP on the next one
 * (docs/protocol.md §10). Port 0 tries free UDP ports until port + 1 is free for TCP
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
 * The OS error of a bind, saying which port of the pair it was about; the
 * code (EADDRINUSE, EACCES, ...) is kept.
 */
function portError(err: unknown, which: string): Error {
  const code = codeOf(err);
  const why = code === 'EADDRINUSE' ? 'is in use' : `cannot be bound (${code || String(err)})`;
  return Object.assign(new Error(`${which} ${why}`, { cause: err }), { code });
}

/**
 * Binds UDP and TCP on `host`. Rejects with the OS error's code (EADDRINUSE
 * for a taken fixed port) and a message naming the port, UDP or TCP;
 * closes whatever it opened when it fails.
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
        if (host !== '::' || !NO_IPV6.includes(codeOf(err))) throw port === 0 ? err : portError(err, `UDP port ${port}`);
        await udp.close();
        udp = sockets.udp();
        host = '0.0.0.0';
        try {
          u = await udp.bind(host, port);
        } catch (e) {
          throw port === 0 ? e : portError(e, `UDP port ${port}`);
        }
      }
      if (u.port === 0xffff) throw Object.assign(new Error('no room for TCP on port + 1'), { code: 'EADDRINUSE' });
      try {
        await tcp.listen(host, u.port + 1);
      } catch (err) {
        throw port === 0 ? err : portError(err, `TCP port ${u.port + 1} (the UDP port + 1)`);
      }
      return { udp, tcp, address: u };
    } catch (err) {
      await Promise.all([udp.close(), tcp.close()]);
      if (port !== 0 || codeOf(err) !== 'EADDRINUSE' || attempt + 1 >= BIND_ATTEMPTS) throw err;
    }
  }
}
