/**
 * A scripted peer on a host of the simulator's network (lib/sim): sends
 * exactly the messages a test chooses, records what it receives and
 * answers PINGs with a properly signed PONG whose address list the test
 * chooses; all on the virtual clock. Its key and salts come from the
 * simulation's seeded random source.
 */
import type { Simulation } from '../../../lib/sim/index.js';
import type { UdpTransport } from '../../../lib/transport/types.js';
import { OP } from '../../../lib/constants.js';
import { type SigningKey, sign, signingKey } from '../../../lib/crypto/ed25519.js';
import { blake3 } from '../../../lib/crypto/hash.js';
import { type AddrPort, formatAddress, parseAddress } from '../../../lib/wire/address.js';
import { type Message, decodeMessage, encodeMessage } from '../../../lib/wire/message.js';

export class SimPeer {
  readonly received: Message[] = [];
  /** Addresses put in every PONG. */
  pongPeers: AddrPort[] = [];
  /** Answer PINGs with a signed PONG. Default true. */
  answerPings = true;
  /** The last PONG sent and to where, for replays. */
  lastPong: { bytes: Uint8Array; to: AddrPort } | null = null;
  private constructor(
    private readonly udp: UdpTransport,
    readonly bound: AddrPort,
    readonly key: SigningKey,
    private readonly random: (n: number) => Uint8Array,
  ) {}

  /**
   * A peer on host `ip` of `sim`'s network (outside the 10.x.y.1 hosts the
   * simulation gives its nodes; peers in one /24 share the table's per-prefix cap).
   */
  static async on(sim: Simulation, ip = '192.0.2.7'): Promise<SimPeer> {
    const udp = sim.net.host(ip).udp();
    const bound = await udp.bind(ip, 0);
    const rng = sim.rng.fork(`sim-peer ${ip}`);
    const peer = new SimPeer(udp, bound, signingKey(rng.bytes(32)), (n) => rng.bytes(n));
    udp.onmessage = (data, from) => peer.onMessage(data, from);
    return peer;
  }

  private onMessage(data: Uint8Array, from: AddrPort): void {
    let msg: Message;
    try {
      msg = decodeMessage(data);
    } catch {
      return; // not a message: a test of ours never sends one
    }
    this.received.push(msg);
    if (msg.op !== OP.PING || !this.answerPings) return;
    const salt = this.random(16);
    const pong = encodeMessage({
      op: OP.PONG,
      peers: this.pongPeers,
      solution: { challenge: msg.challenge, salt, pubKey: this.key.publicKey, sig: sign(this.key, blake3(msg.challenge, salt)) },
    });
    this.lastPong = { bytes: pong, to: from };
    this.udp.send(pong, from);
  }

  get address(): string {
    return formatAddress(this.bound);
  }

  /** Messages received with op `op`. */
  count(op: number): number {
    return this.received.filter((m) => m.op === op).length;
  }

  sendRaw(bytes: Uint8Array, to: string): void {
    if (!this.udp.send(bytes, parseAddress(to))) throw new Error('sim peer: not sent');
  }

  send(msg: Message, to: string): void {
    this.sendRaw(encodeMessage(msg), to);
  }

  close(): Promise<void> {
    return this.udp.close();
  }
}
