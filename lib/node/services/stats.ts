/** The node's counters (node.stats()). Plain numbers, cheap to bump. */
import { OP } from '../../constants.js';
import type { OpName } from '../../wire/messages.js';

export type { OpName } from '../../wire/messages.js';
export { opName } from '../../wire/messages.js';
const OP_NAMES = Object.keys(OP) as OpName[];

function perOp(): Record<OpName, number> {
  return Object.fromEntries(OP_NAMES.map((n) => [n, 0])) as Record<OpName, number>;
}

export interface NodeStats {
  /** Datagrams and TCP frames received, by op. */
  packetsIn: Record<OpName, number>;
  /** Datagrams and TCP frames sent, by op. */
  packetsOut: Record<OpName, number>;
  /** Messages that did not decode (or carried an unknown op), dropped. */
  malformed: number;
  /** Datagrams dropped because they came from our own public address. */
  droppedOwnAddress: number;
  /** UDP GETs and PUTs from peers that have not proved their key, GETMYADDRPORTs from strangers: ignored. */
  ignoredUnknown: number;
  /** Work dropped because a bounded queue was full. */
  droppedQueueFull: number;
  /** UDP GETs from a proven peer beyond its answers for this PING period (maxGetAnswersPerPing), dropped. */
  getsOverBudget: number;
  /** PONGs rejected: no challenge, wrong challenge, key change, bad signature. */
  authFailures: number;
  /** Peers refused when they proved a key: one already held in their address family, or the full table's eviction rule chose them (docs/protocol.md §7). */
  peersRefused: number;
  /** PONGs of an edge from a ticket that proved another key than the ticket's: refused. */
  edgeKeyMismatches: number;
  /** GETMYADDRPORTs beyond an address's budget for this PING period, dropped. */
  addrAsksOverBudget: number;
  /**
   * Replica lists in TCP PUTs from a host with no proven peer, not taken
   * (the record itself is stored when new; docs/protocol.md §10).
   */
  replicaListsIgnored: number;
  /** Inbound TCP connections closed at the cap because they had delivered nothing new (docs/protocol.md §10). */
  tcpIdleClosed: number;
  /** PINGs from newcomers not challenged at once (the budget of immediate challenges per second was spent): they wait for the PING period (docs/protocol.md §7). */
  challengesDeferred: number;
  /** PONG address lists rejected whole (too long, or holding our address). */
  peerListsRejected: number;
  /** PONG addresses skipped (unspecified, multicast, port 0, or a table limit). */
  peerAddressesSkipped: number;
  /** Records that failed verification (docs/protocol.md §4). */
  verifyFailures: number;
  /** Records not re-verified because identical to one stored. */
  verifySkipped: number;
  /** Records written to the store (new or replaced). */
  recordsStored: number;
  /** Records evicted by the store to make room. */
  evicted: number;
  /** Records the store refused, by reason (DaveError code). */
  refused: Record<string, number>;
  /** Records not stored because the store failed (a database error, logged at warn). */
  storeFailures: number;
  /**
   * Replication (docs/protocol.md §12): entries whose send to a new replica failed in
   * a pass; they keep their old replica list and are sent again next pass.
   */
  replicationRetries: number;
  /** TCP connections accepted / ended for a bad frame or a read deadline. */
  tcpAccepted: number;
  tcpDropped: number;
  /** Storage challenges (docs/trust.md) sent as GETs, and their verdicts. */
  challengesSent: number;
  challengesPassed: number;
  challengesFailed: number;
  /** Records sent again by UDP PUT after a failed challenge (to the replica and a reliable substitute). */
  repropagated: number;
  /** Reads that taught trust (docs/trust.md): peers a read charged a failed check, and records sent to peers that lacked them. */
  readChecksFailed: number;
  readRepairs: number;
}

export function newStats(): NodeStats {
  return {
    packetsIn: perOp(),
    packetsOut: perOp(),
    malformed: 0,
    droppedOwnAddress: 0,
    ignoredUnknown: 0,
    droppedQueueFull: 0,
    getsOverBudget: 0,
    authFailures: 0,
    peersRefused: 0,
    edgeKeyMismatches: 0,
    addrAsksOverBudget: 0,
    replicaListsIgnored: 0,
    tcpIdleClosed: 0,
    challengesDeferred: 0,
    peerListsRejected: 0,
    peerAddressesSkipped: 0,
    verifyFailures: 0,
    verifySkipped: 0,
    recordsStored: 0,
    evicted: 0,
    refused: {},
    storeFailures: 0,
    replicationRetries: 0,
    tcpAccepted: 0,
    tcpDropped: 0,
    challengesSent: 0,
    challengesPassed: 0,
    challengesFailed: 0,
    repropagated: 0,
    readChecksFailed: 0,
    readRepairs: 0,
  };
}

/** A deep copy, so callers can keep a snapshot. */
export function snapshot(s: NodeStats): NodeStats {
  return { ...s, packetsIn: { ...s.packetsIn }, packetsOut: { ...s.packetsOut }, refused: { ...s.refused } };
}
