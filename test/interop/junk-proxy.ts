/**
 * A UDP relay on [::1] between a Go node and our node that, after each
 * datagram it relays towards our node, sends a malformed one from the same
 * socket: our node sees the Go peer's datagrams interleaved with junk from
 * the very same address. Nothing malformed ever goes to the Go node.
 */
import dgram from 'node:dgram';

export class JunkProxy {
  /** Malformed datagrams sent to our node. */
  junkSent = 0;
  private readonly goSide = dgram.createSocket('udp6');
  private readonly ourSide = dgram.createSocket('udp6');
  private goPeer: { port: number } | null = null;

  private constructor(private readonly ourPort: number) {}

  /** A relay to our node's UDP port; the Go node uses `address` as its edge. */
  static async start(ourPort: number): Promise<JunkProxy> {
    const p = new JunkProxy(ourPort);
    await Promise.all([p.bind(p.goSide), p.bind(p.ourSide)]);
    p.goSide.on('message', (buf, rinfo) => {
      p.goPeer = { port: rinfo.port };
      p.ourSide.send(buf, ourPort, '::1');
      p.ourSide.send(p.junk(buf), ourPort, '::1');
      p.junkSent++;
    });
    p.ourSide.on('message', (buf, rinfo) => {
      if (rinfo.port === p.ourPort && p.goPeer) p.goSide.send(buf, p.goPeer.port, '::1');
    });
    return p;
  }

  private bind(s: dgram.Socket): Promise<void> {
    return new Promise((r) => s.bind(0, '::1', () => r()));
  }

  /** Cycles through: a truncated copy, an unknown op code, an empty datagram, a copy one byte short. */
  private junk(real: Buffer): Buffer {
    switch (this.junkSent % 4) {
      case 0:
        return real.subarray(0, Math.max(1, real.length >> 1));
      case 1:
        return Buffer.concat([Buffer.of(0xee), real.subarray(1)]);
      case 2:
        return Buffer.alloc(0);
      default:
        return real.subarray(0, real.length - 1);
    }
  }

  /** "[::1]:P": where the Go node should send (its edge). */
  get address(): string {
    return `[::1]:${this.goSide.address().port}`;
  }

  close(): void {
    this.goSide.close();
    this.ourSide.close();
  }
}
