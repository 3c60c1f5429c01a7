/**
 * The node's edges: the peers its operator named, at start
 * (options.edges) or at run time (Dave.addEdge). Both go through
 * Edges.add, the one path by which an edge enters the node: kept in the
 * edge list (discovery asks edges for our address; the announcer watches
 * them) and in the peer table as an edge, exempt from its limits. An
 * edge from a ticket (or given with a public key) carries that key, and
 * the handshake then accepts its PONG only when it proves it (a mismatch
 * is refused, logged, and shown by peers()). Also the message of a wait
 * for peers that ran out, naming the edges that never answered and why.
 */
import { PUBKEY_LEN } from '../../constants.js';
import { DaveError } from '../../errors.js';
import { type AddrPort, addressKey, formatAddress } from '../../wire/address.js';
import { equalBytes } from '../../wire/bytes.js';
import { edgeAddresses, familyMismatch, ticketKey } from '../../peers/family.js';
import type { Peer, PeerTable } from '../../peers/table.js';
import { type Clock, type Logger, isSilent } from '../options.js';
import type { WaitTimeout } from '../views/peer-view.js';

/**
 * Most edges addEdge takes (those given at open count too). Edges are
 * exempt from the peer table's limits, so a caller that joins in a loop
 * (or a holder of the API token) must not grow the table without bound.
 */
export const MAX_EDGES = 256;

/**
 * Adds `addr` to `table` as an edge (and to `edges`, the node's list, once),
 * expecting `publicKey` when one is given. Returns the edge's entry.
 * @throws DaveError ERR_INVALID_ARGUMENT when publicKey is not 32 bytes
 */
export function addEdge(table: PeerTable, edges: AddrPort[], addr: AddrPort, publicKey: Uint8Array | null, now: number): Peer {
  if (publicKey !== null && (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBKEY_LEN)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `publicKey must be ${PUBKEY_LEN} bytes`);
  }
  const key = addressKey(addr);
  if (!edges.some((e) => addressKey(e) === key)) edges.push({ ip: Uint8Array.from(addr.ip), port: addr.port });
  const peer = table.add(addr, true, now)!; // an edge is never refused
  if (publicKey !== null) table.expectKey(peer, publicKey);
  return peer;
}

export interface EdgeHost {
  /** The edge list, shared with discovery and the announcer (added to here). */
  readonly edges: AddrPort[];
  readonly table: PeerTable;
  readonly bound: AddrPort;
  readonly clock: Clock;
  readonly log: Logger;
  /** A PING to `peer` now. */
  ping(peer: Peer): void;
}

export class Edges {
  constructor(private readonly h: EdgeHost) {}

  /**
   * Adds an edge, expecting `publicKey` when given (addEdge); pings it at
   * once when `pingNow` (at run time: no wait for the next period).
   * @throws DaveError ERR_INVALID_ARGUMENT when publicKey is not 32 bytes
   */
  add(addr: AddrPort, pingNow: boolean, publicKey: Uint8Array | null = null): void {
    const { edges, table, clock, log } = this.h;
    const known = table.get(addressKey(addr))?.edge === true;
    const peer = addEdge(table, edges, addr, publicKey, clock.now());
    if (known) return;
    if (!isSilent(log.debug)) log.debug(`dave: peer added ${formatAddress(addr)} (edge)`);
    if (pingNow) this.h.ping(peer);
  }

  /**
   * Dave.addEdge: every reachable address of `edge` (address or ticket),
   * pinged at once, kept for the life of the node; returns them (edges
   * already known included). A ticket's key, or `publicKey` given with an
   * address, must be proved by the edge's PONG.
   * @throws DaveError as edgeAddresses; ERR_INVALID_ARGUMENT (not a string, a publicKey not of 32 bytes, a ticket whose key is not `publicKey`), what `checkOpen` throws
   */
  addText(edge: string, checkOpen: () => void, publicKey: Uint8Array | null = null): string[] {
    if (typeof edge !== 'string') throw new DaveError('ERR_INVALID_ARGUMENT', 'edge must be an address string or a ticket');
    if (publicKey !== null && (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBKEY_LEN)) {
      throw new DaveError('ERR_INVALID_ARGUMENT', `publicKey must be ${PUBKEY_LEN} bytes`);
    }
    checkOpen();
    const usable = edgeAddresses(edge, this.h.bound);
    const fromTicket = ticketKey(edge);
    if (fromTicket !== null && publicKey !== null && !equalBytes(fromTicket, publicKey)) {
      throw new DaveError('ERR_INVALID_ARGUMENT', 'the ticket names a different public key than options.publicKey: give one of them');
    }
    const key = fromTicket ?? publicKey;
    const fresh = usable.filter((a) => !this.h.edges.some((e) => addressKey(e) === addressKey(a)));
    if (this.h.edges.length + fresh.length > MAX_EDGES) {
      throw new DaveError('ERR_INVALID_ARGUMENT', `this node has ${this.h.edges.length} edges; at most ${MAX_EDGES}`);
    }
    for (const a of usable) this.add(a, true, key);
    return usable.map(formatAddress);
  }

  /** Debug lines for peers the prune removed. */
  logDropped(removed: Peer[]): void {
    const { log, clock } = this.h;
    if (isSilent(log.debug)) return;
    for (const p of removed) log.debug(`dave: peer dropped ${formatAddress(p.addr)} (silent for ${Math.round((clock.now() - p.lastSeen) / 1000)} s)`);
  }

  /**
   * The bound of waitForActivePeers: `ms` on the node's clock, or none.
   * @throws DaveError ERR_INVALID_ARGUMENT
   */
  waitTimeout(count: number, ms: number | undefined): WaitTimeout | undefined {
    if (ms === undefined) return undefined;
    if (!(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)) {
      throw new DaveError('ERR_INVALID_ARGUMENT', 'timeoutMs must be a non-negative number of milliseconds');
    }
    return { ms, clock: this.h.clock, message: () => this.waitTimeoutMessage(count, ms) };
  }

  /** Why a wait for `count` ready peers found fewer after `ms`. */
  waitTimeoutMessage(count: number, ms: number): string {
    const { table, edges, bound } = this.h;
    const head = `${table.readyCount()} of ${count} peer${count === 1 ? '' : 's'} ready after ${ms} ms`;
    if (edges.length === 0) return `${head}: this node has no edges (give options.edges or call addEdge)`;
    const silent = edges.filter((e) => table.get(addressKey(e))?.pubKey == null);
    if (silent.length === 0) return `${head} (${table.size} known)`;
    const mismatch = silent.map((e) => familyMismatch(bound, e)).find((m) => m !== null);
    const list = silent.map(formatAddress).join(', ');
    const why = mismatch ? `it ${mismatch}` : 'is a node running there? check the address, the port (UDP) and the firewall';
    return `${head}: edge${silent.length === 1 ? '' : 's'} ${list} never answered: ${why}`;
  }
}
