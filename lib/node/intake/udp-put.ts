/**
 * UDP PUTs, docs/protocol.md §10: a datagram's source can be forged, so only peers
 * that proved their key may make us verify; at most MAX_UDP_PUTS are
 * verified or stored at once, more are dropped (and counted).
 */
import { type AddrPort, addressKey } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import type { NodeContext } from '../services/context.js';

/** Most UDP PUTs being verified or stored at once; more are dropped. */
export const MAX_UDP_PUTS = 2048;

export class UdpPuts {
  private inFlight = 0;

  constructor(
    private readonly ctx: NodeContext,
    /** Verifies and stores; never rejects. */
    private readonly ingest: (entry: Entry) => Promise<void>,
    private readonly max = MAX_UDP_PUTS,
  ) {}

  /** PUTs being verified or stored now. */
  get pending(): number {
    return this.inFlight;
  }

  onPut(entry: Entry, from: AddrPort): void {
    const { table, counters } = this.ctx;
    if (table.get(addressKey(from))?.pubKey == null) return void counters.ignoredUnknown++;
    if (this.inFlight >= this.max) return void counters.droppedQueueFull++;
    this.inFlight++;
    void this.ingest(entry).finally(() => this.inFlight--);
  }
}
