/**
 * The JSON shapes the HTTP API answers with, and the interface both the
 * in-process node (LocalClient) and the HTTP client (HttpClient) offer to
 * the shell and the one-shot commands. Keys and values travel as UTF-8
 * text where they are text, and always as base64.
 */
import type { Entry } from '../wire/entry.js';
import type { PeerInfo } from '../node/dave.js';
import { toHex } from '../wire/bytes.js';
import type { StoreHealth } from '../store/health.js';

export interface RecordView {
  /** Owner's public key, hex. */
  owner: string;
  /** The key as UTF-8 text, or null when it is not valid UTF-8. */
  key: string | null;
  keyBase64: string;
  /** The value as UTF-8 text, or null when it is not valid UTF-8. */
  value: string | null;
  valueBase64: string;
  /** Record time, ms since the epoch, and as ISO 8601. */
  time: number;
  timeIso: string;
  /** An empty value: how a record is deleted (docs/api.md). */
  deleted: boolean;
  /** IDs (16 hex digits) of the replicas the answering node knows for it; empty for a record just written. */
  replicas: string[];
}

/** A record written, and where it went (POST /records, DELETE /records/:key, POST /dats). */
export interface WrittenView extends RecordView {
  /** The record is committed to this node's store. */
  storedHere: boolean;
  /** Remote replicas it was sent to over TCP (no acknowledgement: sent, not known stored); 0 with no peer. */
  sentTo: number;
}

/** The store's health in /status: see docs/operations.md. */
export interface StoreHealthView {
  /** "ok", or "degraded" while the database refuses writes (they fail with ERR_STORAGE_UNAVAILABLE). */
  status: 'ok' | 'degraded';
  /** When the status began, ISO 8601. */
  since: string;
  /** The last write failure since the node started, or null. */
  lastError: { cause: string; message: string; advice: string; at: string } | null;
}

/** What joining an edge did (NodeClient.join, POST /edges). */
export interface JoinView {
  /** The addresses added as edges (already known ones included). */
  added: string[];
  /** Kept for the next start (the data directory's edges file). */
  saved: boolean;
}

export interface PeerView {
  address: string;
  /** Node ID, 16 hex digits; null until the peer proved its key. */
  id: string | null;
  edge: boolean;
  active: boolean;
  lastSeen: string;
  /** Local trust score in (0, 1), 0.5 with no evidence (docs/trust.md). */
  reliability: number;
  /** Smoothed PING→PONG round trip, ms; null before the first. */
  rttMs: number | null;
  /** Present when the peer's proofs are refused, saying why (an edge from a ticket that proved another key). */
  refused?: string;
}

export interface StatusView {
  /** Node ID, 16 hex digits, and the node's public key, hex. */
  id: string;
  publicKey: string;
  /** The public key of the user key that signs this node's writes (hex). */
  userKey: string;
  /** Bound UDP address (TCP on port + 1), and the address an edge saw, if any. */
  address: string;
  publicAddress: string | null;
  ticket: string;
  peers: { active: number; known: number };
  records: number;
  usedSpace: number;
  capacity: number;
  /** This node and its active peers together (from their PINGs). */
  network: { usedSpace: number; capacity: number };
  /** The dave-kv version, and seconds since this node's API client was made (at start). */
  version: string;
  uptimeSeconds: number;
  /** Whether the store accepts writes (docs/operations.md). */
  storeHealth: StoreHealthView;
}

export interface RecordPage {
  records: RecordView[];
  /** The cursor for the next page (pass it as `after`), or null on the last page. */
  next: string | null;
}

/** What the shell and the one-shot commands need from a node. */
export interface NodeClient {
  status(): Promise<StatusView>;
  peers(): Promise<PeerView[]>;
  /** The record, or null when no node holds it. `owner` is hex or "me". */
  get(owner: string, key: string): Promise<RecordView | null>;
  list(owner: string, options?: { prefix?: string; after?: string; limit?: number }): Promise<RecordPage>;
  /** Signs key and value with the node's user key and writes the record: where it went. */
  put(key: string, value: string): Promise<WrittenView>;
  /** Writes a newer record with an empty value. */
  del(key: string): Promise<WrittenView>;
  /** Adds an edge (ticket, address or host:port) at run time; `save` keeps it for the next start. */
  join(edge: string, save: boolean): Promise<JoinView>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `bytes` as UTF-8 text, or null when they are not valid UTF-8. */
export function textOf(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function recordView(entry: Entry): RecordView {
  const d = entry.dat;
  return {
    owner: toHex(d.pubKey),
    key: textOf(d.key),
    keyBase64: Buffer.from(d.key).toString('base64'),
    value: textOf(d.value),
    valueBase64: Buffer.from(d.value).toString('base64'),
    time: d.time,
    timeIso: new Date(d.time).toISOString(),
    deleted: d.value.length === 0,
    replicas: entry.replicas.filter((r) => r !== 0n).map(idHex),
  };
}

/** `entry` and where it went, as the write endpoints answer. */
export function writtenView(entry: Entry, report: { storedHere: number; sentTo: number }): WrittenView {
  return { ...recordView(entry), storedHere: report.storedHere > 0, sentTo: report.sentTo };
}

/** A StoreHealth as /status shows it; an always-ok view for a store that reports none. */
export function storeHealthView(h: StoreHealth | null): StoreHealthView {
  if (h === null) return { status: 'ok', since: new Date(0).toISOString(), lastError: null };
  const e = h.lastError;
  return {
    status: h.status,
    since: new Date(h.since).toISOString(),
    lastError: e && { cause: e.cause, message: e.message, advice: e.advice, at: new Date(e.at).toISOString() },
  };
}

export function idHex(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}

export function peerView(p: PeerInfo): PeerView {
  const v: PeerView = {
    address: p.address,
    id: p.id === 0n ? null : idHex(p.id),
    edge: p.edge,
    active: p.active,
    lastSeen: new Date(p.lastSeen).toISOString(),
    reliability: p.reliability,
    rttMs: p.rttMs,
  };
  if (p.refused !== null) v.refused = p.refused;
  return v;
}
