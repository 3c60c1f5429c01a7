/**
 * UDP PUTs, docs/protocol.md §10: a datagram's source can be forged, so only peers
 * that proved their key may make us verify; at most MAX_UDP_PUTS are
 * verified or stored at once, more are dropped (and counted).
 */
import { type AddrPort, addressKey } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import { OP } from '../../constants.js';
import type { NodeServices } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';

/** Most UDP PUTs being verified or stored at once; more are dropped. */
export const MAX_UDP_PUTS = 2048;

export class UdpPuts {
  private inFlight = 0;

  constructor(
    private readonly ctx: Pick<NodeServices, 'table' | 'counters'> & { readonly intake: Pick<NodeServices['intake'], 'accept'> },
    private readonly max = MAX_UDP_PUTS,
  ) {}

  /** Takes the UDP PUTs. */
  register(d: Dispatcher): void {
    d.on(OP.PUT, (msg, from) => this.onPut(msg.entry, from));
  }

  /** PUTs being verified or stored now. */
  get pending(): number {
    return this.inFlight;
  }

  onPut(entry: Entry, from: AddrPort): void {
    const { table, counters } = this.ctx;
    if (table.get(addressKey(from))?.pubKey == null) return void counters.ignoredUnknown++;
    if (this.inFlight >= this.max) return void counters.droppedQueueFull++;
    this.inFlight++;
    void this.ctx.intake.accept(entry, { put: true }).finally(() => this.inFlight--);
  }
}
