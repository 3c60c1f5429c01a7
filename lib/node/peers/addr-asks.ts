/**
 * GETMYADDRPORTs from addresses not yet in the peer table (docs/protocol.md §8), held
 * briefly. We answer GETMYADDRPORT only to known peers (a spoofed source
 * must not draw answers), but godave asks its edge once at start, before
 * its first PING has made it known to us, and then not again for
 * GETMYADDRPORT_EVERY (10 min): dropping that ask would leave a Go node
 * bootstrapping from us without its public address. So the ask is kept
 * for ASK_WINDOW_MS and answered when a PING from the same address adds
 * it to the table, which is what a known peer's ask would get anyway.
 */
import type { AddressKey } from '../../wire/address.js';
import { PING_MS } from '../../constants.js';

/** How long an unknown address's ask waits for its PING: two of godave's PING periods. */
export const ASK_WINDOW_MS = 2 * PING_MS;
/** Most asks held at once; the oldest is forgotten first. */
export const MAX_PENDING_ASKS = 256;

export class PendingAddrAsks {
  /** Address key → time of the ask, oldest first (Map keeps insertion order). */
  private readonly asks = new Map<AddressKey, number>();

  /** Holds an ask from `key` (an address not in the table) made at `now`. */
  add(key: AddressKey, now: number): void {
    this.asks.delete(key);
    this.asks.set(key, now);
    while (this.asks.size > MAX_PENDING_ASKS) this.asks.delete(this.asks.keys().next().value!);
  }

  /** True (once) when `key` asked within ASK_WINDOW_MS before `now`: answer it now. */
  take(key: AddressKey, now: number): boolean {
    const at = this.asks.get(key);
    if (at === undefined) return false;
    this.asks.delete(key);
    return now - at <= ASK_WINDOW_MS;
  }

  get size(): number {
    return this.asks.size;
  }
}
