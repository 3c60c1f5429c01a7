/**
 * Serving UDP GETs, docs/protocol.md §11: the stored entry, or the not-found form.
 * Answered only to peers that proved their key: a GET with a spoofed
 * source would otherwise make us send many times its size (a 34-byte GET,
 * a ~1.4 kB GET_ACK). A proven peer's address can still be forged, so each
 * peer also has a budget of answers per PING period (the table's
 * takeGetAnswer), and at most MAX_GETS_SERVED database reads run at once.
 * A record in memory (the store's pending writes or cache) is answered in
 * the turn its GET came, without a promise.
 */
import { OP } from '../../constants.js';
import { type AddrPort, addressKey, formatAddress } from '../../wire/address.js';
import { isSilent } from '../options.js';
import { recordName } from '../views/log-lines.js';
import { type GetMessage, entryMessageBytes, notFoundEntry } from '../../wire/message.js';
import type { Entry } from '../../wire/entry.js';
import type { StoreLike } from '../../store/types.js';
import type { NodeServices } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';

/** Most UDP GETs being answered at once; more are dropped. */
export const MAX_GETS_SERVED = 1024;

export class GetServer {
  private serving = 0;

  constructor(
    private readonly ctx: Pick<NodeServices, 'table' | 'counters' | 'send' | 'log' | 'closing'> & {
      readonly store: Pick<StoreLike, 'get' | 'getBytes' | 'memoryBytes'>;
    },
    private readonly maxServing = MAX_GETS_SERVED,
  ) {}

  /** Takes the GETs. */
  register(d: Dispatcher): void {
    d.on(OP.GET, (msg, from) => this.onGet(msg, from));
  }

  /** GETs being answered now. */
  get inFlight(): number {
    return this.serving;
  }

  onGet(msg: GetMessage, from: AddrPort): void {
    const { table, counters } = this.ctx;
    const peer = table.get(addressKey(from));
    if (peer?.pubKey == null) return void counters.ignoredUnknown++;
    if (!table.takeGetAnswer(peer)) return void counters.getsOverBudget++;
    if (this.serving >= this.maxServing) return void counters.droppedQueueFull++;
    const { pubKey, key } = msg;
    const store = this.ctx.store;
    // a record in memory (pending or cached: the usual case) is answered in this turn, no promise
    let inMemory: Uint8Array | undefined | null = null;
    try {
      if (store.memoryBytes !== undefined) inMemory = store.memoryBytes(pubKey, key);
    } catch (err) {
      return this.ctx.log.warn('dave: store read failed', err);
    }
    if (inMemory !== null) return this.answer(msg, from, inMemory);
    this.serving++;
    // the stored form is the GET_ACK's Entry (docs/protocol.md §5, §6): sent as it is, not decoded and encoded again
    const found: Promise<Uint8Array | Entry | undefined> = store.getBytes !== undefined ? store.getBytes(pubKey, key) : store.get(pubKey, key);
    found
      .then(
        (stored) => this.answer(msg, from, stored),
        (err) => this.ctx.log.warn('dave: store read failed', err),
      )
      .finally(() => this.serving--);
  }

  private answer({ pubKey, key }: GetMessage, from: AddrPort, stored: Uint8Array | Entry | undefined): void {
    if (this.ctx.closing()) return;
    if (stored instanceof Uint8Array) this.ctx.send(entryMessageBytes(OP.GET_ACK, stored), from);
    else this.ctx.send({ op: OP.GET_ACK, entry: stored ?? notFoundEntry(pubKey, key) }, from);
    if (!isSilent(this.ctx.log.debug)) {
      this.ctx.log.debug(`dave: GET served to ${formatAddress(from)}: ${recordName(pubKey, key)} ${stored ? 'found' : 'not found'}`);
    }
  }
}
