/**
 * The peer table, docs/protocol.md §7: who we know, who proved their key, who is
 * active. Pure rules: every method that depends on time takes `now`; the
 * node owns the timers. Bounded: at most `maxPeers` peers, and at most
 * `maxPerHost` per IPv4 address or IPv6 /64 (loopback exempt, it is us),
 * so one host cannot fill the table. Edges are exempt from both. When the
 * table is full, a newcomer takes the place of the oldest non-edge peer
 * that has not proved its key, so spoofed PINGs (which never prove one)
 * cannot lock legitimate peers out; it is refused only when every
 * non-edge peer has proved its key.
 */
import { type AddrPort, addressKey } from '../wire/address.js';
import { hostKey, isLoopback } from './address.js';

/**
 * A peer as the table hands it out: every field read-only. The table owns
 * the state (its eviction and pruning read it), so changes go through its
 * methods (challenged, pinged, proved, ...), never through a field.
 */
export interface Peer {
  readonly addr: AddrPort;
  /** addressKey(addr). */
  readonly key: string;
  /** Configured bootstrap peer: never removed. */
  readonly edge: boolean;
  /** 0n until the peer has proved a key. */
  readonly id: bigint;
  readonly pubKey: Uint8Array | null;
  /** When the peer entered the table, ms. */
  readonly added: number;
  /** Last solved challenge (starts at `added`, docs/protocol.md §7), ms. */
  readonly solved: number;
  /** Last datagram of any kind from the peer, ms. */
  readonly lastSeen: number;
  readonly active: boolean;
  /**
   * We answered one of its challenges (sent it a PONG), so it can prove our
   * key: a node answers GETs only from peers that proved theirs.
   */
  readonly answered: boolean;
  /** The challenge awaiting an answer, or null (one answer per challenge). */
  readonly challenge: Uint8Array | null;
  /** From the peer's last PING. */
  readonly usedSpace: bigint;
  readonly capacity: bigint;
  /** PONGs left to send this PING period (PING flood guard). */
  readonly pongBudget: number;
  /**
   * GETs left to answer this PING period (reflection guard: a GET with a
   * proven peer's forged source costs us at most this many answers).
   * 0 until the node's ping timer refills it, which it does before the
   * peer can answer a challenge and so before it can be answered at all.
   */
  readonly getBudget: number;
}

/** The table's own, writable view of a Peer. */
type OwnPeer = { -readonly [K in keyof Peer]: Peer[K] };

/** Every Peer the table hands out is one of its own objects, so it may write it. */
function own(peer: Peer): OwnPeer {
  return peer as OwnPeer;
}

export interface PeerTimings {
  activateAfterMs: number;
  deactivateAfterMs: number;
  dropAfterMs: number;
}

export interface PeerLimits {
  /** Most peers in the table. */
  maxPeers: number;
  /** Most peers per IPv4 address or IPv6 /64 (loopback exempt). */
  maxPerHost: number;
}

/** PONGs a peer may draw per PING period: a PING flood costs us at most this many signatures. */
export const PONG_BUDGET = 4;

export const DEFAULT_PEER_LIMITS: PeerLimits = Object.freeze({ maxPeers: 2048, maxPerHost: 8 });

/** The active rule of docs/protocol.md §7 for one peer at `now`. */
export function isActive(p: Peer, now: number, t: PeerTimings): boolean {
  const fresh = now - p.solved < t.deactivateAfterMs;
  return p.edge ? fresh : fresh && now - p.added > t.activateAfterMs;
}

/** True when a non-edge peer is due for removal at `now`. */
export function isDroppable(p: Peer, now: number, t: PeerTimings): boolean {
  return !p.edge && now - p.solved >= t.dropAfterMs;
}

export class PeerTable {
  private readonly byKey = new Map<string, OwnPeer>();
  private readonly perHost = new Map<string, number>();
  /**
   * Keys of non-edge peers in the order they were added, those that proved
   * their key dropped lazily (a proved peer never unproves): the eviction
   * candidates, oldest first, found in amortized O(1).
   */
  private readonly unproven = new Set<string>();
  private readonly limits: PeerLimits;
  /** The active peers in table order, rebuilt after a change of the active set (randomActive samples it). */
  private activeList: OwnPeer[] | null = null;

  constructor(limits: Partial<PeerLimits> = {}) {
    this.limits = { ...DEFAULT_PEER_LIMITS, ...limits };
  }

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): Peer | undefined {
    return this.byKey.get(key);
  }

  all(): IterableIterator<Peer> {
    return this.byKey.values();
  }

  /**
   * Adds a peer unless present; returns it, or undefined when a limit
   * refuses it. An edge added over an existing non-edge replaces it.
   */
  add(addr: AddrPort, edge: boolean, now: number): Peer | undefined {
    const key = addressKey(addr);
    const existing = this.byKey.get(key);
    if (existing && (existing.edge || !edge)) return existing;
    if (existing) this.remove(key);
    const host = hostKey(addr.ip);
    // edges come from the operator and are not subject to limits
    if (!edge) {
      if (!isLoopback(addr.ip) && (this.perHost.get(host) ?? 0) >= this.limits.maxPerHost) return undefined;
      if (this.byKey.size >= this.limits.maxPeers && !this.evictUnproven()) return undefined;
    }
    const peer: OwnPeer = {
      addr: { ip: Uint8Array.from(addr.ip), port: addr.port },
      key,
      edge,
      id: 0n,
      pubKey: null,
      added: now,
      solved: now,
      lastSeen: now,
      active: false,
      answered: false,
      challenge: null,
      usedSpace: 0n,
      capacity: 0n,
      pongBudget: PONG_BUDGET,
      getBudget: 0,
    };
    this.byKey.set(key, peer);
    if (!edge) {
      this.perHost.set(host, (this.perHost.get(host) ?? 0) + 1);
      this.unproven.add(key);
    }
    return peer;
  }

  /** Removes the oldest non-edge peer that has not proved its key; false when there is none. */
  private evictUnproven(): boolean {
    for (const key of this.unproven) {
      const p = this.byKey.get(key);
      if (!p || p.edge || p.id !== 0n) {
        this.unproven.delete(key);
        continue;
      }
      this.remove(key);
      return true;
    }
    return false;
  }

  remove(key: string): boolean {
    const peer = this.byKey.get(key);
    if (!peer) return false;
    if (peer.active) this.activeList = null;
    this.byKey.delete(key);
    this.unproven.delete(key);
    if (peer.edge) return true;
    const host = hostKey(peer.addr.ip);
    const n = (this.perHost.get(host) ?? 1) - 1;
    if (n <= 0) this.perHost.delete(host);
    else this.perHost.set(host, n);
    return true;
  }

  // ---- state changes: the table owns these fields (eviction reads them) ----

  /** A fresh challenge went to `peer` (docs/protocol.md §7): its budgets refill for the PING period. */
  challenged(peer: Peer, challenge: Uint8Array, getBudget: number): void {
    const p = own(peer);
    p.challenge = challenge;
    p.pongBudget = PONG_BUDGET;
    p.getBudget = getBudget;
  }

  /** The challenge awaiting `peer`'s answer, now forgotten (one answer per challenge). */
  takeChallenge(peer: Peer): Uint8Array | null {
    const p = own(peer);
    const c = p.challenge;
    p.challenge = null;
    return c;
  }

  /**
   * We sent the peer a PONG, so it can prove our key. True the first time
   * (the peer may have just become ready).
   */
  answered(peer: Peer): boolean {
    const p = own(peer);
    if (p.answered) return false;
    p.answered = true;
    return true;
  }

  /** A PING from `peer` at `now`, with its used space and capacity. */
  pinged(peer: Peer, now: number, usedSpace: bigint, capacity: bigint): void {
    const p = own(peer);
    p.lastSeen = now;
    p.usedSpace = usedSpace;
    p.capacity = capacity;
  }

  /** Draws one PONG from `peer`'s budget; false when it is spent. */
  takePong(peer: Peer): boolean {
    const p = own(peer);
    if (p.pongBudget <= 0) return false;
    p.pongBudget--;
    return true;
  }

  /** Draws one GET answer from `peer`'s budget; false when it is spent. */
  takeGetAnswer(peer: Peer): boolean {
    const p = own(peer);
    if (p.getBudget <= 0) return false;
    p.getBudget--;
    return true;
  }

  /**
   * `peer` answered a challenge with `pubKey` at `now` (the caller checked
   * the signature, and that a known peer kept its key). Returns true when
   * the peer just became active.
   */
  proved(peer: Peer, pubKey: Uint8Array, id: bigint, now: number, t: PeerTimings): boolean {
    const p = own(peer);
    if (p.pubKey === null) {
      p.pubKey = Uint8Array.from(pubKey);
      p.id = id;
    }
    p.lastSeen = now;
    p.solved = now;
    const wasActive = p.active;
    p.active = isActive(peer, now, t);
    if (p.active !== wasActive) this.activeList = null;
    return p.active && !wasActive;
  }

  /**
   * Spec §7 prune: removes non-edge peers silent for dropAfter, refreshes
   * every `active` flag. Returns the removed peers.
   */
  prune(now: number, t: PeerTimings): Peer[] {
    const removed: Peer[] = [];
    for (const p of this.byKey.values()) {
      if (isDroppable(p, now, t)) removed.push(p);
      else {
        const was = p.active;
        p.active = isActive(p, now, t);
        if (p.active !== was) this.activeList = null;
      }
    }
    for (const p of removed) this.remove(p.key);
    return removed;
  }

  active(): Peer[] {
    const out: Peer[] = [];
    for (const p of this.byKey.values()) if (p.active) out.push(p);
    return out;
  }

  activeCount(): number {
    let n = 0;
    for (const p of this.byKey.values()) if (p.active) n++;
    return n;
  }

  /**
   * Active peers that proved their key and were answered by us, so that
   * both sides are authenticated and the peer will answer our reads.
   */
  readyCount(): number {
    let n = 0;
    for (const p of this.byKey.values()) if (p.active && p.id !== 0n && p.answered) n++;
    return n;
  }

  /** The first ready peer (see readyCount), or undefined. */
  firstReady(): Peer | undefined {
    for (const p of this.byKey.values()) if (p.active && p.id !== 0n && p.answered) return p;
    return undefined;
  }

  /**
   * Up to `n` distinct active peers chosen uniformly at random, leaving out
   * the peer at `excludeKey` (partial Fisher-Yates).
   */
  randomActive(n: number, excludeKey: string | null, random: () => number = Math.random): Peer[] {
    const list = (this.activeList ??= this.active() as OwnPeer[]);
    // a large table: distinct indices drawn at random, O(n) instead of a copy of the table per PONG
    if (list.length > 4 * n + 1) {
      const picked = new Set<number>();
      const out: Peer[] = [];
      while (out.length < n) {
        const i = Math.floor(random() * list.length);
        if (picked.has(i)) continue;
        picked.add(i);
        if (list[i]!.key !== excludeKey) out.push(list[i]!);
      }
      return out;
    }
    const pool = list.filter((p) => p.key !== excludeKey);
    const k = Math.min(n, pool.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.slice(0, k);
  }

  /**
   * The `n` active peers closest to `target` by XOR distance, skipping ID 0
   * (docs/protocol.md §3), one per ID: a node known under several addresses counts
   * once, at the address seen most recently.
   */
  closestActive(target: bigint, n: number): Peer[] {
    return sortByDistance([...activeById(this.byKey.values()).values()], target, (p) => p.id).slice(0, n);
  }

  /** The active peers by ID (see activeById). */
  activeById(): Map<bigint, Peer> {
    return activeById(this.byKey.values());
  }
}

/**
 * The active peers of `peers` by node ID, skipping ID 0 (docs/protocol.md §3): a node
 * known under several addresses counts once, at the address seen most
 * recently (the first of equals). The one rule for "active peers by ID".
 */
export function activeById(peers: Iterable<Peer>): Map<bigint, Peer> {
  const byId = new Map<bigint, Peer>();
  for (const p of peers) {
    if (!p.active || p.id === 0n) continue;
    const seen = byId.get(p.id);
    if (!seen || p.lastSeen > seen.lastSeen) byId.set(p.id, p);
  }
  return byId;
}

/** Sorts (a copy of) `items` ascending by `target ^ id(item)`. */
export function sortByDistance<T>(items: T[], target: bigint, id: (t: T) => bigint): T[] {
  return items
    .map((item) => ({ item, d: target ^ id(item) }))
    .sort((a, b) => (a.d < b.d ? -1 : a.d > b.d ? 1 : 0))
    .map((x) => x.item);
}
