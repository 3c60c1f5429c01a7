/**
 * What the node tells its logger on its own, so an operator can see it
 * working without asking: the open (records loaded, time taken), the first
 * peer ready, an edge that does not answer (once per silence, at warn),
 * and a status line at info at most once a minute. The node calls these
 * hooks; this module decides what is worth a line and keeps every "once".
 */
import { type AddrPort, addressKey, formatAddress } from '../../wire/address.js';
import type { PeerTable } from '../../peers/table.js';
import type { Logger } from '../options.js';
import { familyMismatch } from '../../peers/family.js';
import { formatSize } from './log-lines.js';

/** Least time between two status lines. */
export const STATUS_EVERY_MS = 60_000;
/** PING periods without a PONG after which an edge is reported unreachable. */
export const UNREACHABLE_AFTER_PINGS = 3;

/** An edge as the announcer sees it. */
export interface EdgeView {
  address: string;
  /** Last solved challenge, ms (the time it was added until it answers). */
  solved: number;
  /** Why this node cannot reach the edge's address family (peers/family.ts), if so. */
  familyMismatch?: string | null;
}

/** Figures for the status line. */
export interface StatusFigures {
  active: number;
  peers: number;
  records: number;
  usedSpace: number;
  capacity: number;
}

export class Announcer {
  private readyAnnounced = false;
  private lastStatus: number;
  private readonly silentEdges = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly pingMs: number,
    now: number,
  ) {
    this.lastStatus = now;
  }

  /** After the open: who we are, where, and what the store loaded. */
  opened(id: bigint, address: string, tcpPort: number, records: number, ms: number): void {
    this.log.info(
      `dave: node ${id.toString(16).padStart(16, '0')} listening on ${address} (TCP port ${tcpPort}); ` +
        `${records} records loaded, opened in ${Math.round(ms)} ms`,
    );
  }

  /** The number of ready peers changed (or may have): the first one is announced once. */
  ready(count: number, first: () => string | undefined): void {
    if (this.readyAnnounced || count === 0) return;
    this.readyAnnounced = true;
    const who = first();
    this.log.info(`dave: first peer active${who ? `: ${who}` : ''}; reads and writes can reach the network`);
  }

  /** Every PING period: edges that stopped answering, and the status line when due. */
  tick(now: number, edges: Iterable<EdgeView>, status: () => StatusFigures): void {
    const silentFor = UNREACHABLE_AFTER_PINGS * this.pingMs;
    for (const e of edges) {
      const silent = now - e.solved >= silentFor;
      if (silent && !this.silentEdges.has(e.address)) {
        this.silentEdges.add(e.address);
        const why = e.familyMismatch
          ? `likely cause: it ${e.familyMismatch}`
          : 'unreachable? check the address, the port and the firewall (UDP)';
        this.log.warn(`dave: edge ${e.address} has not answered for ${Math.round((now - e.solved) / 1000)} s (${UNREACHABLE_AFTER_PINGS} pings): ${why}`);
      } else if (!silent && this.silentEdges.delete(e.address)) {
        this.log.info(`dave: edge ${e.address} answers again`);
      }
    }
    if (now - this.lastStatus >= STATUS_EVERY_MS) {
      this.lastStatus = now;
      const s = status();
      this.log.info(
        `dave: status: ${s.active} active of ${s.peers} peers; ${s.records} records, ${formatSize(s.usedSpace)} of ${formatSize(s.capacity)}`,
      );
    }
  }
}

/** What NodeAnnouncer reads from the node. */
export interface AnnouncedNode {
  readonly table: PeerTable;
  readonly edges: readonly AddrPort[];
  /** The bound UDP address (which families the node reaches). */
  readonly bound: AddrPort;
  readonly store: { count(): number; usedSpace(): number; capacity(): number };
  readonly clock: { now(): number };
  readonly log: Logger;
  readonly timings: { pingMs: number };
}

/** The Announcer fed from a node's peer table, edges and store: the hooks Dave calls. */
export class NodeAnnouncer {
  private readonly a: Announcer;

  constructor(private readonly n: AnnouncedNode) {
    this.a = new Announcer(n.log, n.timings.pingMs, n.clock.now());
  }

  opened(id: bigint, address: string, tcpPort: number, openMs: number): void {
    this.a.opened(id, address, tcpPort, this.n.store.count(), openMs);
  }

  /** The ready peers may have changed: the first one is announced once. */
  peersChanged(): void {
    const { table } = this.n;
    this.a.ready(table.readyCount(), () => {
      const p = table.firstReady();
      return p && formatAddress(p.addr);
    });
  }

  /** Once per ping: silent edges, and the status line when due. */
  tick(): void {
    const { table, store } = this.n;
    const edges = this.n.edges.flatMap((e) => {
      const p = table.get(addressKey(e));
      return p ? [{ address: formatAddress(p.addr), solved: p.solved, familyMismatch: familyMismatch(this.n.bound, e) }] : [];
    });
    this.a.tick(this.n.clock.now(), edges, () => ({
      active: table.activeCount(),
      peers: table.size,
      records: store.count(),
      usedSpace: store.usedSpace(),
      capacity: store.capacity(),
    }));
  }
}
