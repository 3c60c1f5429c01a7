/**
 * GET /events: what the node does, live, as Server-Sent Events (sse.ts).
 * One sampler per server reads the node once a second, whatever the number
 * of streams, and turns the differences into events: a `tick` of the
 * second's traffic and the store's figures, `stored` when records arrived,
 * `peer-added` / `peer-lost` / `peer-changed` (or one `peers` event when
 * many changed at once), and `health` when the store's health or the
 * node's connectedness changes. The last `historyLength` ticks are kept in
 * fixed arrays and sent to a new stream in its `hello`, so a page opened
 * now draws the last minutes at once. docs/api.md documents the events.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalClient } from './local.js';
import type { Metrics } from './metrics.js';
import { type SseOptions, SseStreams, sseFrame } from './sse.js';
import type { PeerView } from './views.js';

export interface EventHubOptions extends SseOptions {
  /** Sampling period, ms. Default 1000. */
  intervalMs?: number;
  /** Ticks kept for a new stream's history. Default 300 (5 minutes). */
  historyLength?: number;
  /** Peer changes in one tick sent one by one; more become one `peers` event. Default 32. */
  maxPeerEvents?: number;
  /** The package version, for `hello`. */
  version?: string;
}

/** The per-second series a tick carries and the history holds. */
export const SERIES = ['t', 'packetsIn', 'packetsOut', 'recordsIn', 'recordsOut', 'getsServed', 'reads', 'readMs'] as const;
export type Series = (typeof SERIES)[number];

interface Sample {
  packetsIn: number;
  packetsOut: number;
  recordsIn: number;
  recordsOut: number;
  getsServed: number;
  stored: number;
  reads: number;
  readSeconds: number;
}

function sum(o: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(o)) n += v;
  return n;
}

/** Fixed-size columns of the last `length` ticks, oldest first. */
class History {
  private readonly cols: Record<Series, (number | null)[]>;
  private head = 0;
  private count = 0;

  constructor(private readonly length: number) {
    this.cols = Object.fromEntries(SERIES.map((s) => [s, new Array<number | null>(length).fill(null)])) as Record<Series, (number | null)[]>;
  }

  push(row: Record<Series, number | null>): void {
    for (const s of SERIES) this.cols[s][this.head] = row[s];
    this.head = (this.head + 1) % this.length;
    this.count = Math.min(this.count + 1, this.length);
  }

  columns(): Record<Series, (number | null)[]> {
    const start = (this.head - this.count + this.length) % this.length;
    const out = {} as Record<Series, (number | null)[]>;
    for (const s of SERIES) {
      const c = this.cols[s];
      out[s] = Array.from({ length: this.count }, (_, i) => c[(start + i) % this.length]!);
    }
    return out;
  }
}

/** The store health #status carries, under whichever name it has; null when it has none. */
function storeHealthOf(status: object): unknown {
  const s = status as { health?: unknown; storeHealth?: unknown; store?: { health?: unknown } };
  return s.storeHealth ?? s.store?.health ?? s.health ?? null;
}

type PeerKey = Pick<PeerView, 'id' | 'edge' | 'active'>;

export class EventHub {
  readonly streams: SseStreams;
  private readonly o: Required<Omit<EventHubOptions, keyof SseOptions>>;
  private readonly history: History;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private last: Sample | null = null;
  private peers = new Map<string, PeerKey>();
  private health = '';
  private healthNow: { store: unknown; connected: boolean } | null = null;
  /** Ticks sampled (for tests and the page's status line). */
  ticks = 0;

  constructor(
    private readonly client: LocalClient,
    private readonly metrics: Metrics,
    options: EventHubOptions = {},
  ) {
    this.streams = new SseStreams(options);
    this.o = {
      intervalMs: options.intervalMs ?? 1000,
      historyLength: options.historyLength ?? 300,
      maxPeerEvents: options.maxPeerEvents ?? 32,
      version: options.version ?? '',
    };
    this.history = new History(this.o.historyLength);
  }

  /** Starts sampling (the first sample is the baseline); the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.o.intervalMs);
    this.timer.unref();
  }

  /**
   * The GET /events handler: a `hello` with the history, then live events.
   * @throws ApiError 503 ERR_TOO_MANY_STREAMS
   */
  open(req: IncomingMessage, res: ServerResponse): void {
    const hello = { version: this.o.version, intervalMs: this.o.intervalMs, historyLength: this.o.historyLength, health: this.healthNow, history: this.history.columns() };
    this.streams.open(req, res, sseFrame('hello', hello));
  }

  /** Stops the timer and ends every stream; safe to call twice. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.streams.close();
  }

  private async readTotals(): Promise<{ count: number; seconds: number }> {
    const h = this.metrics.registry.getSingleMetric('dave_get_duration_seconds');
    let count = 0;
    let seconds = 0;
    if (!h) return { count, seconds };
    for (const v of (await h.get()).values as { metricName?: string; value: number }[]) {
      if (v.metricName?.endsWith('_count')) count += v.value;
      else if (v.metricName?.endsWith('_sum')) seconds += v.value;
    }
    return { count, seconds };
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sampleNow();
    } catch {
      // the node is closing (ERR_CLOSED) or a read failed: the next second tries again
    } finally {
      this.busy = false;
    }
  }

  private async sampleNow(): Promise<void> {
    const st = this.client.node.stats();
    const status = await this.client.status();
    const peers = await this.client.peers();
    const reads = await this.readTotals();
    const now: Sample = {
      packetsIn: sum(st.packetsIn),
      packetsOut: sum(st.packetsOut),
      recordsIn: st.packetsIn.PUT,
      recordsOut: st.packetsOut.PUT,
      getsServed: st.packetsIn.GET,
      stored: st.recordsStored,
      reads: reads.count,
      readSeconds: reads.seconds,
    };
    const prev = this.last;
    this.last = now;
    this.diffPeers(peers, prev !== null);
    this.diffHealth(status);
    if (prev === null) return;
    this.ticks++;
    const reads1 = now.reads - prev.reads;
    const row = {
      t: Date.now(),
      packetsIn: now.packetsIn - prev.packetsIn,
      packetsOut: now.packetsOut - prev.packetsOut,
      recordsIn: now.recordsIn - prev.recordsIn,
      recordsOut: now.recordsOut - prev.recordsOut,
      getsServed: now.getsServed - prev.getsServed,
      reads: reads1,
      readMs: reads1 > 0 ? Math.round(((now.readSeconds - prev.readSeconds) * 1e6) / reads1) / 1000 : null,
    };
    this.history.push(row);
    const stored = now.stored - prev.stored;
    if (stored > 0) this.streams.broadcast('stored', { count: stored, total: now.stored, records: status.records });
    this.streams.broadcast('tick', {
      ...row,
      records: status.records,
      usedSpace: status.usedSpace,
      capacity: status.capacity,
      peers: status.peers,
      totals: { stored: st.recordsStored, evicted: st.evicted, refused: st.refused, malformed: st.malformed, verifyFailures: st.verifyFailures },
    });
  }

  private diffPeers(peers: PeerView[], announce: boolean): void {
    const next = new Map<string, PeerKey>();
    const added: PeerView[] = [];
    const changed: PeerView[] = [];
    for (const p of peers) {
      next.set(p.address, { id: p.id, edge: p.edge, active: p.active });
      const was = this.peers.get(p.address);
      if (!was) added.push(p);
      else if (was.id !== p.id || was.edge !== p.edge || was.active !== p.active) changed.push(p);
    }
    const lost = [...this.peers].filter(([a]) => !next.has(a)).map(([address, p]) => ({ address, id: p.id }));
    this.peers = next;
    if (!announce) return;
    if (added.length + changed.length + lost.length > this.o.maxPeerEvents) {
      this.streams.broadcast('peers', { added: added.length, changed: changed.length, lost: lost.length, known: peers.length });
      return;
    }
    for (const p of added) this.streams.broadcast('peer-added', p);
    for (const p of changed) this.streams.broadcast('peer-changed', p);
    for (const p of lost) this.streams.broadcast('peer-lost', p);
  }

  private diffHealth(status: { peers: { active: number } }): void {
    const h = { store: storeHealthOf(status), connected: status.peers.active > 0 };
    const text = JSON.stringify(h);
    if (text === this.health) return;
    const first = this.health === '';
    this.health = text;
    this.healthNow = h;
    if (!first) this.streams.broadcast('health', h);
  }
}
