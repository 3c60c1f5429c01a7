/**
 * Plain-text renderings of the API's views, shared by the shell and the
 * one-shot commands (which print JSON instead with --json).
 */
import type { JoinView, NodeClient, PeerView, RecordView, StatusView, WrittenView } from '../api/views.js';
import { formatSize } from './size.js';

/** A value as the terminal shows it: text, or base64 marked as such. */
export function valueText(r: RecordView): string {
  if (r.deleted) return `(deleted ${r.timeIso})`;
  return r.value ?? `base64:${r.valueBase64}`;
}

/** Where the network keeps a record: its replica list (node IDs). */
export function replicasText(r: RecordView): string {
  const ids = r.replicas ?? [];
  return ids.length === 0 ? 'replicas: none listed' : `replicas: ${ids.join(' ')}`;
}

/** A record as the shell shows it: the value, then its replicas. */
export function recordText(r: RecordView): string {
  return `${valueText(r)}\n  ${replicasText(r)}`;
}

/**
 * "not found", and for "me" what it means: the user key of the node asked,
 * which on another node (another data directory) is another owner.
 */
export async function notFoundText(c: Pick<NodeClient, 'status'>, owner: string): Promise<string> {
  if (owner !== 'me') return 'not found';
  let key = '';
  try {
    key = ` ${(await c.status()).userKey.slice(0, 16)}...`;
  } catch {
    // the hint without the key
  }
  return `not found (me is this node's user key${key}; a record written through a node with another user key has that key as owner: give its public key in hex)`;
}

export function joinText(j: JoinView): string {
  return `joined: edge ${j.added.join(', ')} added${j.saved ? ', saved for the next start' : ' (join --save keeps it for the next start)'}`;
}

export function keyText(r: RecordView): string {
  return r.key ?? `base64:${r.keyBase64}`;
}

/** Where a write went: "stored on this node only; ..." or "stored on this node, sent to 2 replicas". */
export function whereWritten(r: WrittenView): string {
  const here = r.storedHere ? 'stored on this node' : 'not stored on this node';
  if (r.sentTo === 0) return `${here} only (no peers yet); replication sends it on when peers appear`;
  return `${here}, sent to ${r.sentTo} replica${r.sentTo === 1 ? '' : 's'}`;
}

export function statusText(s: StatusView): string {
  return [
    `id         ${s.id}`,
    `public key ${s.publicKey}`,
    `user key   ${s.userKey}`,
    `address    ${s.address} (UDP; TCP on port + 1)${s.publicAddress ? `, seen as ${s.publicAddress}` : ''}`,
    `peers      ${s.peers.active} active, ${s.peers.known} known`,
    `records    ${s.records}, ${formatSize(s.usedSpace)} of ${formatSize(s.capacity)}`,
    `network    ${formatSize(s.network.usedSpace)} of ${formatSize(s.network.capacity)} (this node and its active peers)`,
    `store      ${s.storeHealth?.status === 'degraded' ? `DEGRADED since ${s.storeHealth.since}: ${s.storeHealth.lastError?.message} (writes fail; to fix: ${s.storeHealth.lastError?.advice})` : 'ok'}`,
    `ticket     ${s.ticket}`,
  ].join('\n');
}

export function peersText(peers: PeerView[]): string {
  if (peers.length === 0) return '(no peers)';
  const rows = peers.map((p) => [p.address, p.id ?? '(unproven)', p.edge ? 'edge' : '', p.refused ? 'refused' : p.active ? 'active' : 'inactive', p.lastSeen]);
  const head = ['ADDRESS', 'ID', 'EDGE', 'STATE', 'LAST SEEN'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const table = [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  // why a peer is refused, under the table (a ticket's key mismatch)
  for (const p of peers) if (p.refused) table.push(`${p.address} refused: ${p.refused}`);
  return table.join('\n');
}

export function listText(records: RecordView[], next: string | null): string {
  const lines = records.map((r) => `${keyText(r)} = ${valueText(r)}`);
  if (records.length === 0) lines.push('(no records)');
  if (next !== null) lines.push(`(more: --after ${next})`);
  return lines.join('\n');
}
