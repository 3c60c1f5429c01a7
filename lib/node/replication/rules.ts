/**
 * Replica choice, docs/protocol.md §10 and §12, as pure rules: the FANOUT IDs closest
 * to an owner, the leader of a replica set (godave's sender), and our
 * sender rule: which holders send an entry to a replica it is missing,
 * and the replica list a holder keeps after a pass.
 */
import { FANOUT } from '../../constants.js';
import { sortByDistance } from '../../peers/table.js';

/**
 * The first FANOUT of `candidates` (node IDs; 0 is skipped) by XOR
 * distance to `ownerId`, padded with 0n to FANOUT slots.
 */
export function chooseReplicas(ownerId: bigint, candidates: bigint[]): bigint[] {
  const ids = sortByDistance(
    [...new Set(candidates)].filter((id) => id !== 0n),
    ownerId,
    (id) => id,
  ).slice(0, FANOUT);
  while (ids.length < FANOUT) ids.push(0n);
  return ids;
}

/** The leader of a replica set: its largest ID (docs/protocol.md §12). */
export function leaderOf(replicas: bigint[]): bigint {
  return replicas.reduce((m, r) => (r > m ? r : m), 0n);
}

/**
 * Most holders that send an entry to one missing replica in a pass
 * (docs/protocol.md §12, "Ours"): two, so that one sender whose view is
 * stale (it left, or does not see the newcomer yet) does not leave the
 * replica without the entry, while the duplicates stay bounded.
 */
export const SENDERS = 2;

/** The replica IDs in `next` a holder with the list `old` must assume lack the entry: not 0, not itself, not on `old`. */
export function missingReplicas(self: bigint, old: readonly bigint[], next: readonly bigint[]): bigint[] {
  return next.filter((r) => r !== 0n && r !== self && !old.includes(r));
}

/**
 * True when the holder `self` is one of the entry's senders: the SENDERS
 * closest to the owner (XOR) of itself and the old replicas it sees
 * alive. Every holder decides alone, from its own list and its own view,
 * so the choice is deterministic and needs no message: the closest live
 * holders send, whether or not the leader (the largest old ID, godave's
 * sender) is still there, and a holder that is no longer among the
 * closest still sends when too few old replicas are left.
 */
export function isSender(ownerId: bigint, self: bigint, old: readonly bigint[], alive: (id: bigint) => boolean): boolean {
  const d = ownerId ^ self;
  let closer = 0;
  for (const r of new Set(old)) {
    if (r === 0n || r === self || !alive(r)) continue;
    if ((ownerId ^ r) < d && ++closer >= SENDERS) return false;
  }
  return true;
}

/**
 * The list a holder keeps after a pass: `next`, with each replica it
 * must assume lacks the entry (missingReplicas) and did not send to
 * (`sent`) as 0, "not known to hold it". A later pass finds those slots
 * changed again, so the holder that becomes a sender (when the others
 * left) sends to them then; and a sender whose send failed tries again.
 */
export function keptReplicas(self: bigint, old: readonly bigint[], next: readonly bigint[], sent: ReadonlySet<bigint>): bigint[] {
  return next.map((r) => (r === 0n || r === self || old.includes(r) || sent.has(r) ? r : 0n));
}

export function sameReplicas(a: bigint[], b: bigint[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
