/**
 * The replication pass, docs/protocol.md §12: re-evaluates every stored entry's
 * replicas against the active peers, and as the leader sends the entry to
 * its new replicas over TCP. The node owns the sockets, the store and the
 * counters; this pass reaches them only through ReplicationHost. The rules
 * it applies (replica choice, leader) are the pure ones of node/replicate.
 */
import { OP } from '../../constants.js';
import type { AddrPort } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import { encodeMessage } from '../../wire/message.js';
import { nodeId } from '../../records/record.js';
import type { Peer } from '../../peers/table.js';
import type { FrameSink } from '../writes/frame-sink.js';
import type { NodeContext } from '../services/context.js';
import type { NodeParts } from '../parts.js';
import { ReplicaLink, openSink } from '../writes/replica-link.js';
import type { Logger, Timings } from '../options.js';
import { chooseReplicas, leaderOf, sameReplicas } from './rules.js';
import type { NodeStats } from '../services/stats.js';

/** Entries a replication pass sends before it ends its connections and stores their new replica lists. */
const REPLICATE_BATCH = 256;

/** What a replication pass needs from the node. */
export interface ReplicationHost {
  /** The node's own ID. */
  readonly id: bigint;
  /** The active peers by ID (peers/table activeById). */
  activeById(): Map<bigint, Peer>;
  /** Every stored entry. */
  entries(): AsyncIterable<Entry>;
  /** Stores an entry, counting the outcome. Never rejects. */
  storeEntry(entry: Entry): Promise<boolean>;
  /** A frame sink to the TCP port of a peer's UDP address, or the error that prevented it. */
  openSink(udpAddr: AddrPort): Promise<FrameSink | Error>;
  readonly counters: NodeStats;
  readonly timings: Pick<Timings, 'connectTimeoutMs'>;
  readonly log: Logger;
  /** True once the node began closing. */
  closing(): boolean;
  /** An entry went to a new replica (trust may remember a challenge). */
  sentTo?(peer: Peer, entry: Entry): void;
}

/**
 * One replica re-evaluation pass over the host's entries. Returns the
 * number of entries whose replicas changed. A pass that fails midway is
 * logged (unless the node is closing); the entries sent so far are still
 * settled. Rejects only if settling them throws.
 *
 * A non-leader stores the new replica list at once. The leader (largest
 * old replica ID, docs/protocol.md §12) sends the entry to the new replicas first and
 * stores the new list only once every one of those sends went out on a
 * connection that ended cleanly: when one failed (replica unreachable,
 * connection reset), the entry keeps its old list, so the next pass finds
 * it changed again and sends again.
 */
export async function replicationPass(host: ReplicationHost): Promise<number> {
  let links = new Map<bigint, ReplicaLink>();
  /** Entries the leader sent since the sinks were opened, stored once the sinks end. */
  let sent: { entry: Entry; via: FrameSink[]; ok: boolean }[] = [];
  // ends the open connections, then stores the sent entries whose every
  // connection ended without an error; the rest stay as they were
  const settle = async () => {
    const open = [...links.values()];
    links = new Map();
    await Promise.all(open.map((link) => link.end(host.timings.connectTimeoutMs)));
    const batch = sent;
    sent = [];
    for (const { entry, via, ok } of batch) {
      if (ok && via.every((s) => s.error === null)) await host.storeEntry(entry);
      else host.counters.replicationRetries++;
    }
  };
  let changed = 0;
  try {
    const byId = host.activeById();
    const candidates = [host.id, ...byId.keys()];
    for await (const entry of host.entries()) {
      if (host.closing()) break;
      const next = chooseReplicas(nodeId(entry.dat.pubKey), candidates);
      if (sameReplicas(next, entry.replicas)) continue;
      changed++;
      const updated: Entry = { dat: entry.dat, replicas: next };
      if (leaderOf(entry.replicas) !== host.id) {
        await host.storeEntry(updated);
        continue;
      }
      const msg = encodeMessage({ op: OP.PUT, entry: updated });
      const item = { entry: updated, via: [] as FrameSink[], ok: true };
      sent.push(item);
      for (const r of next) {
        if (r === 0n || r === host.id || entry.replicas.includes(r) || !byId.has(r)) continue;
        let link = links.get(r);
        if (!link) {
          const addr = byId.get(r)!.addr;
          links.set(r, (link = new ReplicaLink(() => host.openSink(addr))));
        }
        // (the link reconnects when the replica's read deadline ended an idle connection)
        const s = await link.sink();
        if (s === null) {
          item.ok = false; // retried next pass
          continue;
        }
        item.via.push(s);
        s.push(msg);
        host.counters.packetsOut.PUT++;
        host.sentTo?.(byId.get(r)!, updated);
        await s.ready();
      }
      // bounded memory: settle every REPLICATE_BATCH sent entries
      if (sent.length >= REPLICATE_BATCH) await settle();
    }
  } catch (err) {
    if (!host.closing()) host.log.warn('dave: replication pass failed', err);
  } finally {
    await settle();
  }
  return changed;
}

/** The ReplicationHost of a node: its table's active peers by ID, its store's entries, its intake, TCP sinks on its clock. */
export function nodeReplicationHost(
  ctx: NodeContext,
  parts: Pick<NodeParts, 'store' | 'tcp' | 'timings' | 'clock'>,
  id: bigint,
  intake: { store(entry: Entry): Promise<boolean> },
  sentTo?: (peer: Peer, entry: Entry) => void,
): ReplicationHost {
  const { store, tcp, timings, clock } = parts;
  return {
    ...ctx,
    id,
    activeById: () => ctx.table.activeById(),
    entries: () => store.entries(),
    storeEntry: (entry) => intake.store(entry),
    openSink: (addr) => openSink(tcp, addr, timings, clock),
    sentTo,
  };
}

/** Runs replication passes one at a time: a pass asked for while one runs returns 0. */
export class Replicator {
  private running = false;

  constructor(private readonly host: ReplicationHost) {}

  /** One pass (see replicationPass); 0 when one is running already or the node is closing. */
  async run(): Promise<number> {
    if (this.running || this.host.closing()) return 0;
    this.running = true;
    try {
      return await replicationPass(this.host);
    } finally {
      this.running = false; // whatever settling the pass met, replication must not stop for good
    }
  }
}
