/**
 * Storage-challenge bookkeeping (docs/trust.md): records we sent to a
 * replica and will later ask it for, the challenges in flight, and how an
 * answer is judged. Pure: every method that depends on time takes `now`;
 * the node owns the timers and the GETs. Bounded: at most `perPeer`
 * challenges per peer and `total` in all (pending and in flight); a
 * challenge beyond a bound is not remembered (`remember` says so).
 */
import type { AddressKey } from '../wire/address.js';

/** A record a peer should hold: owner, key, the time of the record sent. */
export interface Challenge {
  /** The peer's address key. */
  readonly peer: AddressKey;
  /** Caller's identifier of (owner, key), unique per record. */
  readonly id: string;
  readonly owner: Uint8Array;
  readonly key: Uint8Array;
  /** Time of the record we sent, ms: an answer at least this new passes. */
  readonly time: number;
  /** Not asked before this, ms. */
  readonly due: number;
}

/** A challenge asked, with the time its answer must arrive by. */
export interface InFlight extends Challenge {
  readonly asked: number;
  readonly deadline: number;
}

export interface ChallengeLimits {
  /** Pending and in-flight challenges per peer. */
  perPeer: number;
  /** Pending and in-flight challenges in all. */
  total: number;
}

export const DEFAULT_CHALLENGE_LIMITS: Readonly<ChallengeLimits> = Object.freeze({ perPeer: 8, total: 4096 });

/** What a challenged peer answered. */
export type Answer = { kind: 'not-found' } | { kind: 'record'; verified: boolean; time: number };

/**
 * The verdict on an answer: a pass only for a record that verified and is
 * the one we sent or a newer one of the same owner and key (the owner may
 * have written again since). Not found, a record that fails verification,
 * an older record: a fail. Silence is judged by the deadline (expired()).
 */
export function judge(c: Pick<Challenge, 'time'>, a: Answer): boolean {
  return a.kind === 'record' && a.verified && a.time >= c.time;
}

export class ChallengeBook {
  private readonly pending = new Map<AddressKey, Challenge[]>();
  /** By peer: at most one challenge in flight per peer. */
  private readonly flying = new Map<AddressKey, InFlight>();
  private count = 0;
  private readonly limits: ChallengeLimits;

  constructor(limits: Partial<ChallengeLimits> = {}) {
    this.limits = { ...DEFAULT_CHALLENGE_LIMITS, ...limits };
  }

  /** Pending and in-flight challenges. */
  get size(): number {
    return this.count;
  }

  private held(peer: AddressKey): number {
    return (this.pending.get(peer)?.length ?? 0) + (this.flying.has(peer) ? 1 : 0);
  }

  /** Remembers a challenge; false when a bound refuses it or the same record is already pending for the peer. */
  remember(c: Challenge): boolean {
    if (this.count >= this.limits.total || this.held(c.peer) >= this.limits.perPeer) return false;
    const list = this.pending.get(c.peer) ?? [];
    if (list.some((x) => x.id === c.id)) return false;
    // kept in due order; dues are mostly increasing, so insertion is near the end
    let i = list.length;
    while (i > 0 && list[i - 1]!.due > c.due) i--;
    list.splice(i, 0, c);
    this.pending.set(c.peer, list);
    this.count++;
    return true;
  }

  /**
   * Takes the earliest due challenge of up to `maxPeers` peers that have
   * one due at `now` and none in flight, earliest first, and removes them
   * from the pending ones (start() puts them in flight).
   */
  take(now: number, maxPeers: number): Challenge[] {
    const due: Challenge[] = [];
    for (const [peer, list] of this.pending) {
      if (!this.flying.has(peer) && list[0]!.due <= now) due.push(list[0]!);
    }
    due.sort((a, b) => a.due - b.due);
    const out = due.slice(0, Math.max(0, maxPeers));
    for (const c of out) {
      const list = this.pending.get(c.peer)!;
      list.shift();
      if (list.length === 0) this.pending.delete(c.peer);
      this.count--;
    }
    return out;
  }

  /** A taken challenge asked at `now`, answered by `deadline`. */
  start(c: Challenge, now: number, deadline: number): InFlight {
    const f: InFlight = { ...c, asked: now, deadline };
    if (!this.flying.has(c.peer)) this.count++;
    this.flying.set(c.peer, f);
    return f;
  }

  /** Challenges in flight. */
  get flyingCount(): number {
    return this.flying.size;
  }

  /** The challenge in flight to `peer` for record `id`, if any. */
  inFlight(peer: AddressKey, id: string): InFlight | undefined {
    const f = this.flying.get(peer);
    return f !== undefined && f.id === id ? f : undefined;
  }

  /** Ends the challenge in flight to `peer` for `id` (answered); returns it. */
  settle(peer: AddressKey, id: string): InFlight | undefined {
    const f = this.inFlight(peer, id);
    if (f === undefined) return undefined;
    this.flying.delete(peer);
    this.count--;
    return f;
  }

  /** Ends and returns the challenges whose deadline passed at `now` (fails). */
  expired(now: number): InFlight[] {
    const out: InFlight[] = [];
    for (const f of this.flying.values()) if (f.deadline <= now) out.push(f);
    for (const f of out) {
      this.flying.delete(f.peer);
      this.count--;
    }
    return out;
  }

  /** Drops everything about `peer` (it left the table). */
  forget(peer: AddressKey): void {
    this.count -= this.pending.get(peer)?.length ?? 0;
    this.pending.delete(peer);
    if (this.flying.delete(peer)) this.count--;
  }
}
