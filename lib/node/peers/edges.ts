/**
 * Edges, docs/protocol.md §7: the peers the operator named, kept for the
 * life of the node and exempt from the table's limits. This is the one
 * place an edge enters the table (at open, and at runtime through
 * Dave.addEdge): an edge from a ticket carries the ticket's public key,
 * and the handshake then accepts its PONG only when it proves that key
 * (a mismatch is refused, logged, and shown by peers()).
 */
import { PUBKEY_LEN } from '../../constants.js';
import { DaveError } from '../../errors.js';
import { type AddrPort, addressKey } from '../../wire/address.js';
import { type Peer, type PeerLimits, PeerTable } from '../../peers/table.js';

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

/** A new peer table holding the configured `edges`, each expecting its key from `edgeKeys` (by addressKey), if any. */
export function tableWithEdges(limits: PeerLimits, edges: AddrPort[], edgeKeys: ReadonlyMap<string, Uint8Array>, now: number): PeerTable {
  const table = new PeerTable(limits);
  for (const e of [...edges]) addEdge(table, edges, e, edgeKeys.get(addressKey(e)) ?? null, now);
  return table;
}
