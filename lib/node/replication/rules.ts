/**
 * Replica choice, docs/protocol.md §10 and §12, as pure rules: the FANOUT IDs closest
 * to an owner, and the leader of a replica set.
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

export function sameReplicas(a: bigint[], b: bigint[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
