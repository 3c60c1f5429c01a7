/**
 * The peer table, docs/protocol.md §7: who we know, who proved their key, who is
 * active. Pure rules: every method that depends on time takes `now`; the
 * node owns the timers. Bounded against Sybils (docs/protocol.md §7, "What
 * a node refuses"):
 *
 * * at most `maxPerHost` peers per IPv4 address or IPv6 /64 and
 *   `maxPerPrefix` per IPv4 /24 or IPv6 /48 (loopback exempt from both: it
 *   is us, or a test);
 * * one node ID (public key) holds at most one entry per address family,
 *   loopback included: a second address proving a key already held is
 *   refused (admitKey), the established entry stays;
 * * at most `maxPeers` proven peers, and `maxNewcomers` more that have
 *   not proved a key yet. A newcomer beyond both takes the place of the
 *   oldest unproven peer (spoofed PINGs never prove a key, so they cannot
 *   lock newcomers out). A newcomer that proves its key when `maxPeers`
 *   proven peers are there is admitted in place of the newest proven peer
 *   of the most crowded prefix, itself included: a crowd of Sybils in one
 *   prefix pays for a newcomer from elsewhere.
 *
 * Edges come from the operator and are exempt from every limit.
 */
import { type AddrPort, type AddressKey, addressKey } from '../wire/address.js';
import { type NetKey, family, hostKey, isLoopback, prefixKey } from './address.js';

/**
 * A peer as the table hands it out: every field read-only. The table owns
 * the state (its eviction and pruning read it), so changes go through its
 * methods (challenged, pinged, proved, ...), never through a field.
 */
export interface Peer {
  readonly addr: AddrPort;
  /** addressKey(addr). */
  readonly key: AddressKey;
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
  /** GETMYADDRPORT answers left this PING period (reflection guard). */
  readonly addrBudget: number;
  /** PINGs sent while the peer had not proved a key (at most UNPROVEN_PINGS, then it is forgotten). */
  readonly unprovenPings: number;
  /** PINGs an unproven peer may still draw: one per PING it sent, or UNPROVEN_PINGS for an address learned from a PONG. */
  readonly pingCredit: number;
  /** An edge from a ticket: the key its PONG must prove; null for any key. */
  readonly expectedKey: Uint8Array | null;
  /** Why the peer's proofs are refused (a ticket's key mismatch), shown by peers(); null when none. */
  readonly refusal: string | null;
}

/** The table's own, writable view of a Peer, with the crowd of its prefix once it is a proven non-edge peer (else null). */
type OwnPeer = { -readonly [K in keyof Peer]: Peer[K] } & { crowd: Crowd | null };

/** The proven non-edge peers of one prefix: one object per prefix, shared by those peers (the eviction rule reads it per peer without a lookup). */
interface Crowd {
  count: number;
}

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
  /** Most proven non-edge peers in the table. */
  maxPeers: number;
  /** Most peers per IPv4 address or IPv6 /64 (loopback exempt). */
  maxPerHost: number;
  /** Most peers per IPv4 /24 or IPv6 /48 (loopback exempt). */
  maxPerPrefix: number;
  /** Most non-edge peers beyond maxPeers that have not proved a key yet (newcomers being checked). */
  maxNewcomers: number;
}

/** PONGs a proven peer or an edge may draw per PING period: a PING flood costs us at most this many signatures. */
export const PONG_BUDGET = 4;
/** PONGs an unproven address may draw per PING period (reflection guard). */
export const UNPROVEN_PONG_BUDGET = 1;
/** PINGs an address gets before it proves a key or is forgotten (reflection guard). */
export const UNPROVEN_PINGS = 3;
/** GETMYADDRPORT answers per address per PING period (reflection guard). */
export const ADDR_BUDGET = 1;
/** How long an address refused by the per-key cap is not added again, ms. */
export const REFUSED_FOR_MS = 60_000;
/** Most addresses remembered as refused. */
const MAX_REFUSED = 4096;

export const DEFAULT_PEER_LIMITS: PeerLimits = Object.freeze({ maxPeers: 2048, maxPerHost: 8, maxPerPrefix: 32, maxNewcomers: 64 });

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
  private readonly byKey = new Map<AddressKey, OwnPeer>();
  private readonly perHost = new Map<NetKey, number>();
  /**
   * Keys of non-edge peers in the order they were added, those that proved
   * their key dropped lazily (a proved peer never unproves): the eviction
   * candidates, oldest first, found in amortized O(1).
   */
  private readonly unproven = new Set<AddressKey>();
  private readonly perPrefix = new Map<NetKey, number>();
  /** Proven peers (edges included) per hostKey: TCP from such a host may set replica lists. */
  private readonly provenHosts = new Map<NetKey, number>();
  /** `${id}/${family}` → the address key of the one entry holding that node ID in that family. */
  private readonly byIdFamily = new Map<string, AddressKey>();
  /** Address keys refused by the per-key cap → until when, oldest first. */
  private readonly refused = new Map<AddressKey, number>();
  private nonEdge = 0;
  private provenNonEdge = 0;
  /** Proven non-edge peers per prefixKey: the eviction rule's crowd counts, kept as peers prove and leave (each such peer holds its prefix's Crowd). */
  private readonly crowds = new Map<NetKey, Crowd>();
  private readonly limits: PeerLimits;
  /** The active peers in table order, rebuilt after a change of the active set (randomActive samples it). */
  private activeList: OwnPeer[] | null = null;

  constructor(limits: Partial<PeerLimits> = {}) {
    this.limits = { ...DEFAULT_PEER_LIMITS, ...limits };
  }

  get size(): number {
    return this.byKey.size;
  }

  get(key: AddressKey): Peer | undefined {
    return this.byKey.get(key);
  }

  all(): IterableIterator<Peer> {
    return this.byKey.values();
  }

  /**
   * Adds a peer unless present; returns it, or undefined when a limit
   * refuses it. An edge added over an existing non-edge replaces it.
   * `pingCredit`: the PINGs it may draw before it sends us one (an address
   * learned from a PONG: UNPROVEN_PINGS; one that PINGed us: 0, and each
   * of its PINGs adds one, see pinged()).
   */
  add(addr: AddrPort, edge: boolean, now: number, pingCredit = UNPROVEN_PINGS): Peer | undefined {
    const key = addressKey(addr);
    const existing = this.byKey.get(key);
    if (existing && (existing.edge || !edge)) return existing;
    if (existing) this.remove(key);
    const host = hostKey(addr.ip);
    const prefix = prefixKey(addr.ip);
    // edges come from the operator and are not subject to limits
    if (!edge) {
      if (!isLoopback(addr.ip)) {
        if ((this.perHost.get(host) ?? 0) >= this.limits.maxPerHost) return undefined;
        if ((this.perPrefix.get(prefix) ?? 0) >= this.limits.maxPerPrefix) return undefined;
      }
      if (this.isRefused(key, now)) return undefined;
      if (this.nonEdge >= this.limits.maxPeers + this.limits.maxNewcomers && !this.evictUnproven()) return undefined;
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
      pongBudget: edge ? PONG_BUDGET : UNPROVEN_PONG_BUDGET,
      getBudget: 0,
      addrBudget: ADDR_BUDGET,
      unprovenPings: 0,
      pingCredit: Math.min(pingCredit, UNPROVEN_PINGS),
      expectedKey: null,
      refusal: null,
      crowd: null,
    };
    this.byKey.set(key, peer);
    if (!edge) {
      this.perHost.set(host, (this.perHost.get(host) ?? 0) + 1);
      this.perPrefix.set(prefix, (this.perPrefix.get(prefix) ?? 0) + 1);
      this.unproven.add(key);
      this.nonEdge++;
    }
    return peer;
  }

  private isRefused(key: AddressKey, now: number): boolean {
    const until = this.refused.get(key);
    if (until === undefined) return false;
    if (now < until) return true;
    this.refused.delete(key);
    return false;
  }

  /** Proven peers' count per hostKey (IPv4 address or IPv6 /64): true when `ip`'s host has one. */
  hasProvenHost(ip: Uint8Array): boolean {
    return (this.provenHosts.get(hostKey(ip)) ?? 0) > 0;
  }

  /** Non-edge peers that proved their key. */
  get provenCount(): number {
    return this.provenNonEdge;
  }

  /**
   * The admission rules for a peer about to prove node ID `id` for the
   * first time (call before proved()). False when the peer was refused and
   * removed: another entry of its address family already holds `id` (the
   * per-key cap; the address is not added again for REFUSED_FOR_MS), or the
   * table holds maxPeers proven peers and the eviction rule chose the
   * newcomer itself. An edge is always admitted: a non-edge entry holding
   * its ID is removed instead; an edge's ID held by another edge is kept
   * by both (the operator's choice).
   */
  admitKey(peer: Peer, id: bigint, now: number): boolean {
    if (peer.pubKey !== null) return true;
    const slot = `${id}/${family(peer.addr.ip)}`;
    const holderKey = this.byIdFamily.get(slot);
    const holder = holderKey === undefined ? undefined : this.byKey.get(holderKey);
    if (holder && holder !== peer) {
      if (!peer.edge || holder.edge) {
        if (!peer.edge) return this.refuse(peer, now);
      } else this.remove(holder.key);
    }
    if (!peer.edge && this.provenNonEdge >= this.limits.maxPeers) {
      const victim = this.evictionVictim(peer);
      if (victim === peer) return this.refuse(peer, now, false);
      this.remove(victim.key);
    }
    this.byIdFamily.set(slot, peer.key);
    return true;
  }

  private refuse(peer: Peer, now: number, remember = true): false {
    this.remove(peer.key);
    if (remember) {
      this.refused.delete(peer.key);
      this.refused.set(peer.key, now + REFUSED_FOR_MS);
      while (this.refused.size > MAX_REFUSED) this.refused.delete(this.refused.keys().next().value!);
    }
    return false;
  }

  /**
   * The eviction rule of a full table: of the proven non-edge peers and
   * the newcomer, the newest (latest added) of the most crowded prefix.
   */
  private evictionVictim(newcomer: Peer): Peer {
    // crowd of a prefix: its proven non-edge peers, plus the newcomer
    const mine = this.crowds.get(prefixKey(newcomer.addr.ip));
    let victim = newcomer;
    let victimCrowd = (mine?.count ?? 0) + 1;
    for (const p of this.byKey.values()) {
      if (p.crowd === null) continue; // an edge, or not proven
      const c = p.crowd.count + (p.crowd === mine ? 1 : 0);
      if (c > victimCrowd || (c === victimCrowd && p.added > victim.added)) {
        victim = p;
        victimCrowd = c;
      }
    }
    return victim;
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

  remove(key: AddressKey): boolean {
    const peer = this.byKey.get(key);
    if (!peer) return false;
    if (peer.active) this.activeList = null;
    this.byKey.delete(key);
    this.unproven.delete(key);
    const host = hostKey(peer.addr.ip);
    if (peer.pubKey !== null) {
      decrement(this.provenHosts, host);
      const slot = `${peer.id}/${family(peer.addr.ip)}`;
      if (this.byIdFamily.get(slot) === key) this.byIdFamily.delete(slot);
      if (peer.crowd !== null) {
        this.provenNonEdge--;
        if (--peer.crowd.count === 0) this.crowds.delete(prefixKey(peer.addr.ip));
        peer.crowd = null;
      }
    }
    if (peer.edge) return true;
    this.nonEdge--;
    decrement(this.perHost, host);
    decrement(this.perPrefix, prefixKey(peer.addr.ip));
    return true;
  }

  // ---- state changes: the table owns these fields (eviction reads them) ----

  /**
   * A new PING period for `peer`: its PONG and GETMYADDRPORT budgets
   * refill (an unproven address: UNPROVEN_PONG_BUDGET), and the answer is
   * whether to PING it: "ping" for an edge or a proven peer, and for an
   * unproven one with PINGs left of its credit; "forget" for an unproven
   * peer that had UNPROVEN_PINGS, or had its credit's worth and has been
   * silent for deactivateAfterMs (the caller removes it); else "skip".
   */
  newPeriod(peer: Peer, now: number, t: PeerTimings): 'ping' | 'skip' | 'forget' {
    const p = own(peer);
    const proven = p.edge || p.pubKey !== null;
    p.pongBudget = proven ? PONG_BUDGET : UNPROVEN_PONG_BUDGET;
    p.addrBudget = ADDR_BUDGET;
    if (proven) return 'ping';
    if (p.unprovenPings >= UNPROVEN_PINGS) return 'forget';
    if (p.pingCredit > 0) return 'ping';
    return p.unprovenPings > 0 && now - p.lastSeen >= t.deactivateAfterMs ? 'forget' : 'skip';
  }

  /** A fresh challenge went to `peer` (docs/protocol.md §7): its GET budget refills for the PING period. */
  challenged(peer: Peer, challenge: Uint8Array, getBudget: number): void {
    const p = own(peer);
    p.challenge = challenge;
    p.getBudget = getBudget;
    if (!p.edge && p.pubKey === null) {
      p.unprovenPings++;
      if (p.pingCredit > 0) p.pingCredit--;
    }
  }

  /** Draws one GETMYADDRPORT answer from `peer`'s budget; false when it is spent. */
  takeAddrAnswer(peer: Peer): boolean {
    const p = own(peer);
    if (p.addrBudget <= 0) return false;
    p.addrBudget--;
    return true;
  }

  /** An edge from a ticket: its PONG must prove `key` (docs/protocol.md §7). */
  expectKey(peer: Peer, key: Uint8Array): void {
    own(peer).expectedKey = Uint8Array.from(key);
  }

  /** Notes why `peer`'s proofs are refused (peers() shows it); null clears it. */
  setRefusal(peer: Peer, reason: string | null): void {
    own(peer).refusal = reason;
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

  /**
   * A PING from `peer` at `now`, with its used space and capacity. An
   * unproven peer earns one PING of ours (within UNPROVEN_PINGS in all).
   */
  pinged(peer: Peer, now: number, usedSpace: bigint, capacity: bigint): void {
    const p = own(peer);
    p.lastSeen = now;
    if (!p.edge && p.pubKey === null && p.unprovenPings + p.pingCredit < UNPROVEN_PINGS) p.pingCredit++;
    p.usedSpace = usedSpace;
    p.capacity = capacity;
  }

  /**
   * True when a PING from `peer` may be answered by our challenge at once
   * rather than at the next PING period (docs/protocol.md §7): a non-edge
   * address that has not proved a key, has no challenge of ours awaiting
   * its answer, and has a PING of ours left in its credit. The challenge
   * spends that credit, so an address draws no more PINGs than before.
   */
  mayChallengeNow(peer: Peer): boolean {
    return !peer.edge && peer.pubKey === null && peer.challenge === null && peer.pingCredit > 0;
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
      p.refusal = null;
      const host = hostKey(p.addr.ip);
      this.provenHosts.set(host, (this.provenHosts.get(host) ?? 0) + 1);
      if (!p.edge) {
        this.provenNonEdge++;
        this.unproven.delete(p.key);
        const g = prefixKey(p.addr.ip);
        let crowd = this.crowds.get(g);
        if (crowd === undefined) this.crowds.set(g, (crowd = { count: 0 }));
        crowd.count++;
        p.crowd = crowd;
      }
      const slot = `${id}/${family(p.addr.ip)}`;
      if (!this.byIdFamily.has(slot)) this.byIdFamily.set(slot, p.key);
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
  randomActive(n: number, excludeKey: AddressKey | null, random: () => number = Math.random): Peer[] {
    const list = (this.activeList ??= this.active() as OwnPeer[]);
    // a large table: distinct indices drawn at random, O(n) instead of a copy of the table per PONG
    if (list.length > 4 * n + 1) {
      // the indices drawn so far: a short array (about n), cheaper than a Set per PONG
      const picked: number[] = [];
      const out: Peer[] = [];
      while (out.length < n) {
        const i = Math.floor(random() * list.length);
        if (picked.includes(i)) continue;
        picked.push(i);
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

function decrement(m: Map<NetKey, number>, k: NetKey): void {
  const n = (m.get(k) ?? 1) - 1;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
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
