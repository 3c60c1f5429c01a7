/**
 * The replication pass, docs/protocol.md §12: re-evaluates every stored entry's
 * replicas against the active peers, and as the leader sends the entry to
 * its new replicas over TCP. The node owns the sockets, the store and the
 * counters; this pass reaches them only through the services port. The rules
 * it applies (replica choice, leader) are the pure ones of node/replication/rules.ts.
 */
import { OP } from '../../constants.js';
import type { Entry } from '../../wire/entry.js';
import { encodeMessage } from '../../wire/message.js';
import { nodeId } from '../../records/record.js';
import type { FrameSink } from '../writes/frame-sink.js';
import { ReplicaLink } from '../writes/replica-link.js';
import type { NodeServices } from '../services/services.js';
import { chooseReplicas, leaderOf, sameReplicas } from './rules.js';

/** Entries a replication pass sends before it ends its connections and stores their new replica lists. */
const REPLICATE_BATCH = 256;

/** What a replication pass takes from the services. */
export type ReplicationServices = Pick<
  NodeServices,
  'id' | 'table' | 'store' | 'intake' | 'openSink' | 'counters' | 'timings' | 'log' | 'closing' | 'trust'
>;

/**
 * One replica re-evaluation pass over the stored entries. Returns the
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
export async function replicationPass(s: ReplicationServices): Promise<number> {
  let links = new Map<bigint, ReplicaLink>();
  /** Entries the leader sent since the sinks were opened, stored once the sinks end. */
  let sent: { entry: Entry; via: FrameSink[]; ok: boolean }[] = [];
  // ends the open connections, then stores the sent entries whose every
  // connection ended without an error; the rest stay as they were
  const settle = async () => {
    const open = [...links.values()];
    links = new Map();
    await Promise.all(open.map((link) => link.end(s.timings.connectTimeoutMs)));
    const batch = sent;
    sent = [];
    for (const { entry, via, ok } of batch) {
      if (ok && via.every((sink) => sink.error === null)) await s.intake.accept(entry, { verified: true });
      else s.counters.replicationRetries++;
    }
  };
  let changed = 0;
  try {
    const byId = s.table.activeById();
    const candidates = [s.id, ...byId.keys()];
    for await (const entry of s.store.entries()) {
      if (s.closing()) break;
      const next = chooseReplicas(nodeId(entry.dat.pubKey), candidates);
      if (sameReplicas(next, entry.replicas)) continue;
      changed++;
      const updated: Entry = { dat: entry.dat, replicas: next };
      if (leaderOf(entry.replicas) !== s.id) {
        await s.intake.accept(updated, { verified: true });
        continue;
      }
      const msg = encodeMessage({ op: OP.PUT, entry: updated });
      const item = { entry: updated, via: [] as FrameSink[], ok: true };
      sent.push(item);
      for (const r of next) {
        if (r === 0n || r === s.id || entry.replicas.includes(r) || !byId.has(r)) continue;
        let link = links.get(r);
        if (!link) {
          const addr = byId.get(r)!.addr;
          links.set(r, (link = new ReplicaLink(() => s.openSink(addr))));
        }
        // (the link reconnects when the replica's read deadline ended an idle connection)
        const sink = await link.sink();
        if (sink === null) {
          item.ok = false; // retried next pass
          continue;
        }
        item.via.push(sink);
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
