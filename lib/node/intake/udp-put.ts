/**
 * UDP PUTs, docs/protocol.md §10: a datagram's source can be forged, so only peers
 * that proved their key may make us verify; at most MAX_UDP_PUTS are
 * verified or stored at once, more are dropped (and counted).
 *
 * The PUTs of one event-loop turn go on as one batch (node/intake/
 * intake-batch.ts, as the PUTs of a TCP read do): each record is its
 * datagram's Entry bytes, checked in place; the batch is handed to the
 * intake at the end of the turn, or at once when it holds MAX_UDP_BATCH
 * records. So no sender makes a PUT wait past its own turn, and what a
 * flood can make the node hold is the MAX_UDP_PUTS cap (datagrams of at
 * most MAX_MSG_LEN bytes).
 */
import { type AddrPort, addressKey } from '../../wire/address.js';
import { type Entry, encodeEntry } from '../../wire/entry.js';
import { OP } from '../../constants.js';
import { EntryBatch } from '../../records/entry-batch.js';
import type { NodeServices } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';

/** Most UDP PUTs being verified or stored at once; more are dropped. */
export const MAX_UDP_PUTS = 2048;
/** Most UDP PUTs in one batch. */
export const MAX_UDP_BATCH = 256;

export class UdpPuts {
  private inFlight = 0;
  /** This turn's PUTs, not yet handed to the intake. */
  private open: EntryBatch | null = null;
  private scheduled = false;

  constructor(
    private readonly ctx: Pick<NodeServices, 'table' | 'counters'> & { readonly intake: Pick<NodeServices['intake'], 'acceptBatch'> },
    private readonly max = MAX_UDP_PUTS,
    private readonly maxBatch = MAX_UDP_BATCH,
  ) {}

  /** Takes the UDP PUTs. */
  register(d: Dispatcher): void {
    // the datagram's Entry bytes (after op and length, docs/protocol.md §6) are the record's stored form
    d.on(OP.PUT, (msg, from, data) => this.onPut(msg.entry, from, data.subarray(3)));
  }

  /** PUTs being verified or stored now (those batched this turn included). */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * A PUT from `from`; `bytes`: its Entry as it came (a view of the
   * datagram, which nothing writes to), else it is encoded.
   */
  onPut(entry: Entry, from: AddrPort, bytes?: Uint8Array): void {
    const { table, counters } = this.ctx;
    if (table.get(addressKey(from))?.pubKey == null) return void counters.ignoredUnknown++;
    if (this.inFlight >= this.max) return void counters.droppedQueueFull++;
    const batch = (this.open ??= new EntryBatch());
    // (the dispatcher decoded the bytes as `entry`, so add() takes them)
    if (!batch.add(bytes ?? encodeEntry(entry).slice())) return;
    this.inFlight++;
    if (batch.count >= this.maxBatch) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    const batch = this.open;
    this.open = null;
    if (batch === null || batch.count === 0) return;
    const n = batch.count;
    void this.ctx.intake.acceptBatch(batch).finally(() => (this.inFlight -= n));
  }
}
