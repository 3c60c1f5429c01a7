/**
 * A scripted peer on a host of the simulator's network (lib/sim): sends
 * exactly the messages a test chooses and records what it receives, on
 * the virtual clock (FakePeer is the same on a real loopback socket).
 */
import type { Simulation } from '../../../lib/sim/index.js';
import type { UdpTransport } from '../../../lib/transport/types.js';
import { type AddrPort, formatAddress, parseAddress } from '../../../lib/wire/address.js';
import { type Message, decodeMessage, encodeMessage } from '../../../lib/wire/message.js';

export class SimPeer {
  readonly received: Message[] = [];
  private constructor(
    private readonly udp: UdpTransport,
    readonly bound: AddrPort,
  ) {}

  /** A peer on host `ip` of `sim`'s network (outside the 10.x.y.1 hosts the simulation gives its nodes). */
  static async on(sim: Simulation, ip = '192.0.2.7'): Promise<SimPeer> {
    const udp = sim.net.host(ip).udp();
    const bound = await udp.bind(ip, 0);
    const peer = new SimPeer(udp, bound);
    udp.onmessage = (data) => {
      try {
        peer.received.push(decodeMessage(data));
      } catch {
        // not a message: a test of ours never sends one
      }
    };
    return peer;
  }

  get address(): string {
    return formatAddress(this.bound);
  }

  send(msg: Message, to: string): void {
    if (!this.udp.send(encodeMessage(msg), parseAddress(to))) throw new Error('sim peer: not sent');
  }

  close(): Promise<void> {
    return this.udp.close();
  }
}
