/**
 * Address discovery, docs/protocol.md §8: the node asks an edge for its public address
 * (GETMYADDRPORT) and answers peers that ask it; it drops datagrams from
 * its own addresses (bound or public) and forgets peer entries that turn
 * out to be itself.
 */
import { OP } from '../../constants.js';
import { type AddrPort, addressKey, formatAddress } from '../../wire/address.js';
import { isUnspecified, sameAddress } from '../../peers/address.js';
import type { Peer } from '../../peers/table.js';
import { PendingAddrAsks } from './addr-asks.js';
import type { NodeServices } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';

export class AddressDiscovery {
  private publicAddr: AddrPort | null = null;
  private lastRequest = -Infinity;
  private readonly asks = new PendingAddrAsks();

  constructor(
    private readonly ctx: Pick<NodeServices, 'table' | 'timings' | 'now' | 'send' | 'counters' | 'log'>,
    private readonly edges: readonly AddrPort[],
    private readonly bound: AddrPort,
    private readonly random: () => number = Math.random,
  ) {}

  /** Our address as an edge reported it, or as a self-PING revealed it; null before that. */
  get publicAddress(): AddrPort | null {
    return this.publicAddr;
  }

  /** Takes the address asks and answers. (The dispatcher drops datagrams from isOwnAddress.) */
  register(d: Dispatcher): void {
    d.on(OP.GETMYADDRPORT, (_msg, from) => this.onRequest(from));
    d.on(OP.GETMYADDRPORT_ACK, (msg, from) => this.onAnswer(msg.addr, from));
  }

  /** True for our bound address (unless unspecified) and our public address. */
  isOwnAddress(a: AddrPort): boolean {
    if (this.publicAddr !== null && sameAddress(a, this.publicAddr)) return true;
    return !isUnspecified(this.bound.ip) && sameAddress(a, this.bound);
  }

  /**
   * Asks an edge that solved a challenge recently for our public address:
   * every PING period until one answered, then every getMyAddrPortEveryMs.
   */
  maybeAsk(): void {
    if (this.edges.length === 0) return;
    const { table, timings } = this.ctx;
    const now = this.ctx.now();
    const every = this.publicAddr === null ? timings.pingMs : timings.getMyAddrPortEveryMs;
    if (now - this.lastRequest < every) return;
    const fresh = this.edges
      .map((e) => table.get(addressKey(e)))
      .filter((p): p is Peer => p !== undefined && p.pubKey !== null && now - p.solved < timings.deactivateAfterMs);
    if (fresh.length === 0) return;
    this.lastRequest = now;
    this.ctx.send({ op: OP.GETMYADDRPORT }, fresh[Math.floor(this.random() * fresh.length)]!.addr);
  }

  /**
   * GETMYADDRPORT: tells a known peer the address its datagram came from.
   * An unknown address's ask is held and answered if its PING follows
   * (pinged()): godave asks before its first PING (addr-asks.ts).
   */
  onRequest(from: AddrPort): void {
    if (!this.ctx.table.get(addressKey(from))) {
      this.asks.add(addressKey(from), this.ctx.now());
      return void this.ctx.counters.ignoredUnknown++;
    }
    this.ctx.send({ op: OP.GETMYADDRPORT_ACK, addr: from }, from);
  }

  /** A PING from `from` (now in the table): answers its held GETMYADDRPORT, if any. */
  pinged(from: AddrPort): void {
    if (this.asks.size > 0 && this.asks.take(addressKey(from), this.ctx.now())) {
      this.ctx.send({ op: OP.GETMYADDRPORT_ACK, addr: from }, from);
    }
  }

  /** GETMYADDRPORT_ACK: only an edge may tell us who we are. */
  onAnswer(addr: AddrPort, from: AddrPort): void {
    const { table } = this.ctx;
    const peer = table.get(addressKey(from));
    if (!peer?.edge) return;
    this.publicAddr = { ip: Uint8Array.from(addr.ip), port: addr.port };
    const self = table.get(addressKey(addr));
    if (self && !self.edge) table.remove(self.key);
    this.ctx.log.info(`dave: public address ${formatAddress(addr)}`);
  }

  /** A PONG carried our own key: we pinged ourselves through `peer`'s address. */
  pingedSelf(peer: Peer): void {
    if (!peer.edge) this.ctx.table.remove(peer.key);
    this.publicAddr ??= peer.addr;
  }
}
