/**
 * Reads teach trust (docs/trust.md), as pure rules: when a read gets a
 * verified record from one replica, the other peers asked that the
 * record's replica list names, and that answered not-found, an older
 * record, or nothing within the grace, count a failed check, as a failed
 * storage challenge does. No new message: the read's own GETs are the
 * checks. Bounded: a peer is charged at most once per record per window
 * and at most `perPeer` times per window; at most `maxTracked` reads
 * wait for late answers. A peer the record's list does not name (a
 * newcomer since the write, say) is never charged: it is only sent the
 * record. Every method takes `now`; the node owns the timers and sends.
 */
import type { AddressKey } from '../wire/address.js';

/** One peer asked by a read, and what it answered before the read settled. */
export interface AskedPeer {
  /** Address key. */
  readonly key: AddressKey;
  /** Node ID; 0n when unknown. */
  readonly id: bigint;
  readonly answer: 'not-found' | 'older' | 'newer-or-same' | 'none';
}

export interface ReadCheckLimits {
  /** Charges per peer per window. */
  perPeer: number;
  /** The window, ms. */
  windowMs: number;
  /** Reads waiting for late answers. */
  maxTracked: number;
  /** (peer, record) pairs remembered, so one record charges a peer once per window. */
  maxPairs: number;
}

export const DEFAULT_READ_CHECK_LIMITS: Readonly<ReadCheckLimits> = Object.freeze({ perPeer: 1, windowMs: 10_000, maxTracked: 1024, maxPairs: 8192 });

/** What the node does for a read: charge these peers now, repair these, wait for those. */
export interface ReadVerdicts {
  /** Peers that count a failed check now. */
  failed: AddressKey[];
  /** Peers to send the record to (the failed ones and those not named by its list that lacked it). */
  repair: AddressKey[];
  /** Peers named by the list that have not answered: judged at the grace's end. */
  waiting: AddressKey[];
}

interface Tracked {
  replicas: Set<bigint>;
  time: number;
  waiting: Map<AddressKey, bigint>;
  deadline: number;
}

export class ReadChecks {
  private readonly tracked = new Map<string, Tracked>();
  /** Peer → [window start, charges in it]. */
  private readonly charges = new Map<AddressKey, [number, number]>();
  /** `${peer}|${record}` → time charged. */
  private readonly pairs = new Map<string, number>();
  private readonly limits: ReadCheckLimits;

  constructor(limits: Partial<ReadCheckLimits> = {}) {
    this.limits = { ...DEFAULT_READ_CHECK_LIMITS, ...limits };
  }

  /** Reads waiting for late answers. */
  get size(): number {
    return this.tracked.size;
  }

  /**
   * Read `id` settled at `now` with a record of `time` and replica list
   * `replicas` from `from`; `asked` the other peers and their answers so
   * far. Late answers are awaited until `now + graceMs`.
   */
  found(id: string, time: number, replicas: readonly bigint[], from: AddressKey, asked: readonly AskedPeer[], now: number, graceMs: number): ReadVerdicts {
    const named = new Set(replicas.filter((r) => r !== 0n));
    const out: ReadVerdicts = { failed: [], repair: [], waiting: [] };
    const waiting = new Map<AddressKey, bigint>();
    for (const p of asked) {
      if (p.key === from || p.answer === 'newer-or-same') continue;
      if (!named.has(p.id)) {
        if (p.answer !== 'none') out.repair.push(p.key); // it lacks the record, and was never told to keep it
        continue;
      }
      if (p.answer === 'none') {
        waiting.set(p.key, p.id);
        continue;
      }
      out.repair.push(p.key);
      if (this.charge(p.key, id, now)) out.failed.push(p.key);
    }
    if (waiting.size > 0 && this.tracked.size < this.limits.maxTracked) {
      this.tracked.delete(id);
      this.tracked.set(id, { replicas: named, time, waiting, deadline: now + graceMs });
      out.waiting.push(...waiting.keys());
    }
    return out;
  }

  /**
   * A late answer of `peer` for read `id`: `time` of its record, or null
   * for not-found. Returns the verdict: "failed" (charged: not-found or
   * older), "repair" (not-found or older, charge bounded away), "ok", or
   * null when nothing waited for it.
   */
  late(id: string, peer: AddressKey, time: number | null, now: number): 'failed' | 'repair' | 'ok' | null {
    const t = this.tracked.get(id);
    if (!t || !t.waiting.has(peer)) return null;
    t.waiting.delete(peer);
    if (t.waiting.size === 0) this.tracked.delete(id);
    if (time !== null && time >= t.time) return 'ok';
    return this.charge(peer, id, now) ? 'failed' : 'repair';
  }

  /** True when a late answer of `peer` for `id` is awaited (the node verifies nothing for it). */
  awaits(id: string, peer: AddressKey): boolean {
    return this.tracked.get(id)?.waiting.has(peer) ?? false;
  }

  /**
   * Read `id`'s grace, if it ended by `now`: the peers still silent; those
   * charged are marked `failed`.
   */
  expire(id: string, now: number): { peer: AddressKey; failed: boolean }[] {
    const t = this.tracked.get(id);
    if (!t || t.deadline > now) return [];
    this.tracked.delete(id);
    return [...t.waiting.keys()].map((peer) => ({ peer, failed: this.charge(peer, id, now) }));
  }

  /** One charge of `peer` for record `id` at `now`, within the bounds; false when a bound refuses it. */
  private charge(peer: AddressKey, id: string, now: number): boolean {
    const { windowMs, perPeer, maxPairs } = this.limits;
    const pair = `${peer}|${id}`;
    const at = this.pairs.get(pair);
    if (at !== undefined && now - at < windowMs) return false;
    let c = this.charges.get(peer);
    if (!c || now - c[0] >= windowMs) this.charges.set(peer, (c = [now, 0]));
    if (c[1] >= perPeer) return false;
    c[1]++;
    this.pairs.delete(pair);
    this.pairs.set(pair, now);
    while (this.pairs.size > maxPairs) this.pairs.delete(this.pairs.keys().next().value!);
    return true;
  }

  /** Forgets a peer that left the table. */
  forget(peer: AddressKey): void {
    this.charges.delete(peer);
    for (const t of this.tracked.values()) t.waiting.delete(peer);
  }
}
