/**
 * The replication pass, docs/protocol.md §12: re-evaluates every stored entry's
 * replicas against the active peers, and as one of the entry's senders
 * sends it to the new replicas that miss it, over TCP. The node owns the sockets, the store and the
 * counters; this pass reaches them only through ReplicationHost. The rules
 * it applies (replica choice, senders, the list kept) are the pure ones of replication/rules.
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
import { chooseReplicas, isSender, keptReplicas, missingReplicas, sameReplicas } from './rules.js';
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
 * number of entries whose stored replica list changed. A pass that fails
 * midway is logged (unless the node is closing); the entries sent so far
 * are still settled. Rejects only if settling them throws.
 *
 * For each entry: the new list is the FANOUT IDs closest to the owner
 * among us and our active peers (chooseReplicas). The replicas on it
 * that were not on the entry's old list are missing it, as far as we
 * know. If we are one of the entry's senders (rules isSender: the
 * SENDERS live holders closest to the owner, by our list and our view),
 * we send it to each missing replica. We keep the new list with every
 * missing replica we did not reach as 0 (rules keptReplicas), stored once
 * the sends went out on connections that ended cleanly: a later pass
 * sees those slots change again and sends to them when we are a sender
 * then (a failed send is tried again; a holder takes over the sending
 * when the closer ones left). docs/protocol.md §12 (godave: only the
 * leader, the largest old ID, sends, and nobody does once it left).
 */
export async function replicationPass(host: ReplicationHost): Promise<number> {
  let links = new Map<bigint, ReplicaLink>();
  /** Entries sent since the sinks were opened, stored once the sinks end. */
  let sent: { entry: Entry; old: bigint[]; via: Map<bigint, FrameSink> }[] = [];
  let changed = 0;
  // ends the open connections, then stores each sent entry's list: a
  // replica counts as reached when its connection ended without an error
  const settle = async () => {
    const open = [...links.values()];
    links = new Map();
    await Promise.all(open.map((link) => link.end(host.timings.connectTimeoutMs)));
    const batch = sent;
    sent = [];
    for (const { entry, old, via } of batch) {
      const reached = new Set<bigint>();
      for (const [r, s] of via) if (s.error === null) reached.add(r);
      const kept = keptReplicas(host.id, old, entry.replicas, reached);
      if (kept.some((r, i) => r !== entry.replicas[i])) host.counters.replicationRetries++;
      if (sameReplicas(kept, old)) continue;
      changed++;
      await host.storeEntry({ dat: entry.dat, replicas: kept });
    }
  };
  try {
    const byId = host.activeById();
    const candidates = [host.id, ...byId.keys()];
    const alive = (id: bigint) => byId.has(id);
    for await (const entry of host.entries()) {
      if (host.closing()) break;
      const owner = nodeId(entry.dat.pubKey);
      const next = chooseReplicas(owner, candidates);
      if (sameReplicas(next, entry.replicas)) continue;
      const missing = missingReplicas(host.id, entry.replicas, next).filter(alive);
      if (missing.length === 0 || !isSender(owner, host.id, entry.replicas, alive)) {
        const kept = keptReplicas(host.id, entry.replicas, next, new Set());
        if (sameReplicas(kept, entry.replicas)) continue;
        changed++;
        await host.storeEntry({ dat: entry.dat, replicas: kept });
        continue;
      }
      // the PUT carries the new list, as godave's does
      const updated: Entry = { dat: entry.dat, replicas: next };
      const msg = encodeMessage({ op: OP.PUT, entry: updated });
      const item = { entry: updated, old: entry.replicas, via: new Map<bigint, FrameSink>() };
      sent.push(item);
      for (const r of missing) {
        let link = links.get(r);
        if (!link) {
          const addr = byId.get(r)!.addr;
          links.set(r, (link = new ReplicaLink(() => host.openSink(addr))));
        }
        // (the link reconnects when the replica's read deadline ended an idle connection)
        const s = await link.sink();
        if (s === null) continue; // not reached: its slot stays 0, tried again next pass
        item.via.set(r, s);
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
