/**
 * GET /owners: the owners holding the most records in this node's store,
 * for the page's Store section. It scans the whole store, so one scan
 * runs at a time and its answer is kept for `maxAgeMs`, whoever asks.
 * A scan is kept at least 5 s and at least 10 times as long as it took,
 * so scanning a large store takes at most a tenth of the node's time.
 * The counting is Misra-Gries with `slots` counters: memory stays bounded
 * however many owners a stranger invents (each record can have a fresh
 * key); with at most `slots` distinct owners the counts are exact, past
 * that they are lower bounds, off by at most records / (slots + 1), and
 * `approximate` says so.
 */
import { toHex } from '../wire/bytes.js';
import type { Entry } from '../wire/entry.js';

export interface OwnerCount {
  owner: string;
  records: number;
}

export interface OwnersView {
  owners: OwnerCount[];
  /** Records scanned. */
  scanned: number;
  approximate: boolean;
  /** When the scan finished, ms since the epoch. */
  at: number;
}

/** Top `top` owners of `entries` by record count, with `slots` counters. */
export async function countOwners(entries: AsyncIterable<Entry>, top: number, slots: number): Promise<Omit<OwnersView, 'at'>> {
  const counts = new Map<string, number>();
  let scanned = 0;
  let approximate = false;
  for await (const e of entries) {
    scanned++;
    const k = toHex(e.dat.pubKey);
    const c = counts.get(k);
    if (c !== undefined) counts.set(k, c + 1);
    else if (counts.size < slots) counts.set(k, 1);
    else {
      approximate = true;
      for (const [o, n] of counts) {
        if (n === 1) counts.delete(o);
        else counts.set(o, n - 1);
      }
    }
  }
  const owners = [...counts].map(([owner, records]) => ({ owner, records }));
  owners.sort((a, b) => b.records - a.records || (a.owner < b.owner ? -1 : 1));
  return { owners: owners.slice(0, top), scanned, approximate };
}

export class TopOwners {
  private cached: OwnersView | null = null;
  private running: Promise<OwnersView> | null = null;
  private tookMs = 0;

  constructor(
    private readonly entries: () => AsyncIterable<Entry>,
    private readonly o: { top?: number; slots?: number; maxAgeMs?: number; now?: () => number } = {},
  ) {}

  /** The last scan when fresh enough, else the running or a new one. */
  get(): Promise<OwnersView> {
    const now = this.o.now ?? Date.now;
    if (this.cached && now() - this.cached.at < Math.max(this.o.maxAgeMs ?? 5000, 10 * this.tookMs)) return Promise.resolve(this.cached);
    const started = now();
    this.running ??= countOwners(this.entries(), this.o.top ?? 10, this.o.slots ?? 1024)
      .then((r) => {
        this.tookMs = now() - started;
        return (this.cached = { ...r, at: now() });
      })
      .finally(() => (this.running = null));
    return this.running;
  }
}
