/**
 * The replication pass, docs/protocol.md §12: re-evaluates every stored entry's
 * replicas against the active peers, and as one of the entry's senders
 * sends it to the new replicas that miss it, over TCP. The node owns the sockets, the store and the
 * counters; this pass reaches them only through the services port. The rules
 * it applies (replica choice, senders, the list kept) are the pure ones of node/replication/rules.ts.
 */
import { OP } from '../../constants.js';
import type { Entry } from '../../wire/entry.js';
import { encodeMessage } from '../../wire/message.js';
import { nodeId } from '../../records/record.js';
import type { FrameSink } from '../writes/frame-sink.js';
import { ReplicaLink } from '../writes/replica-link.js';
import type { NodeServices } from '../services/services.js';
import { chooseReplicas, isSender, keptReplicas, missingReplicas, sameReplicas } from './rules.js';

/** Entries a replication pass sends before it ends its connections and stores their new replica lists. */
const REPLICATE_BATCH = 256;

/** What a replication pass takes from the services. */
export type ReplicationServices = Pick<
  NodeServices,
  'id' | 'table' | 'store' | 'intake' | 'openSink' | 'counters' | 'timings' | 'log' | 'closing' | 'trust'
>;

/**
 * One replica re-evaluation pass over the stored entries. Returns the
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
export async function replicationPass(s: ReplicationServices): Promise<number> {
  let links = new Map<bigint, ReplicaLink>();
  /** Entries sent since the sinks were opened, stored once the sinks end. */
  let sent: { entry: Entry; old: bigint[]; via: Map<bigint, FrameSink> }[] = [];
  let changed = 0;
  // ends the open connections, then stores each sent entry's list: a
  // replica counts as reached when its connection ended without an error
  const settle = async () => {
    const open = [...links.values()];
    links = new Map();
    await Promise.all(open.map((link) => link.end(s.timings.connectTimeoutMs)));
    const batch = sent;
    sent = [];
    for (const { entry, old, via } of batch) {
      const reached = new Set<bigint>();
      for (const [r, sink] of via) if (sink.error === null) reached.add(r);
      const kept = keptReplicas(s.id, old, entry.replicas, reached);
      if (kept.some((r, i) => r !== entry.replicas[i])) s.counters.replicationRetries++;
      if (sameReplicas(kept, old)) continue;
      changed++;
      await s.intake.accept({ dat: entry.dat, replicas: kept }, { verified: true });
    }
  };
  try {
    const byId = s.table.activeById();
    const candidates = [s.id, ...byId.keys()];
    const alive = (id: bigint) => byId.has(id);
    for await (const entry of s.store.entries()) {
      if (s.closing()) break;
      const owner = nodeId(entry.dat.pubKey);
      const next = chooseReplicas(owner, candidates);
      if (sameReplicas(next, entry.replicas)) continue;
      const missing = missingReplicas(s.id, entry.replicas, next).filter(alive);
      if (missing.length === 0 || !isSender(owner, s.id, entry.replicas, alive)) {
        const kept = keptReplicas(s.id, entry.replicas, next, new Set());
        if (sameReplicas(kept, entry.replicas)) continue;
        changed++;
        await s.intake.accept({ dat: entry.dat, replicas: kept }, { verified: true });
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
          links.set(r, (link = new ReplicaLink(() => s.openSink(addr))));
        }
        // (the link reconnects when the replica's read deadline ended an idle connection)
        const sink = await link.sink();
        if (sink === null) continue; // not reached: its slot stays 0, tried again next pass
        item.via.set(r, sink);
        sink.push(msg);
        s.counters.packetsOut.PUT++;
        s.trust.sentTo(byId.get(r)!, updated);
        await sink.ready();
      }
      // bounded memory: settle every REPLICATE_BATCH sent entries
      if (sent.length >= REPLICATE_BATCH) await settle();
    }
  } catch (err) {
    if (!s.closing()) s.log.warn('dave: replication pass failed', err);
  } finally {
    await settle();
  }
  return changed;
}

/** Runs replication passes one at a time: a pass asked for while one runs returns 0. */
export class Replicator {
  private running = false;

  constructor(private readonly s: ReplicationServices) {}

  /** One pass (see replicationPass); 0 when one is running already or the node is closing. */
  async run(): Promise<number> {
    if (this.running || this.s.closing()) return 0;
    this.running = true;
    try {
      return await replicationPass(this.s);
    } finally {
      this.running = false; // whatever settling the pass met, replication must not stop for good
    }
  }
}
