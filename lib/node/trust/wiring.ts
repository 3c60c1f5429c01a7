/**
 * The node's trust wiring (docs/trust.md): one TrustKeeper (scores, RTT,
 * pending challenges) and one Challenger (rounds, verdicts,
 * re-propagation), with the hooks the other modules take: PING/PONG times
 * and PONG lists for the handshake, read targets for remote gets, sent
 * records and substitutes for the batch writer and replication. With trust
 * off the keeper still measures RTT for peers() and remembers no
 * challenge, and every hook falls back to godave's choice.
 */
import type { AddressKey } from '../../wire/address.js';
import { FANOUT, OP } from '../../constants.js';
import type { Entry } from '../../wire/entry.js';
import { isNotFound } from '../../wire/message.js';
import { storeKey } from '../../records/record.js';
import type { Peer } from '../../peers/table.js';
import { skipFailing } from '../../peers/trust.js';
import { type AskedPeer, ReadChecks } from '../../peers/read-checks.js';
import { Challenger } from './challenger.js';
import type { BaseServices, NodeServices, ReadObserver, TrustHooks } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';
import { DEFAULT_TRUST, type PeerTrustInfo, TrustKeeper, type TrustOptions, substitutesFor } from './keeper.js';

/** The node's trust: the keeper, the challenger, and the hooks every other flow takes from the services. */
export class NodeTrust implements TrustHooks {
  private readonly keeper: TrustKeeper;
  private readonly challenger: Challenger;
  private readonly on: boolean;
  private readonly readChecks: ReadChecks;
  /** Reads that teach trust (docs/trust.md); null when off. */
  readonly reads: ReadObserver | null;
  /**
   * Reads waiting for late answers, in the order (so the deadline order) they
   * settled, from `expiringFrom` on: one timer, for the first, serves them
   * all (a timer and a closure per read were most of what a read left
   * behind for the grace).
   */
  private readonly expiring: { id: string; entry: Entry; at: number }[] = [];
  private expiringFrom = 0;

  constructor(
    private readonly s: BaseServices & Pick<NodeServices, 'intake'>,
    /** null: trust off. */
    private readonly options: TrustOptions | null,
    private readonly maxDeadlineMs: number,
  ) {
    this.on = options !== null;
    this.keeper = new TrustKeeper(options ?? { ...DEFAULT_TRUST, challengeProbability: 0 }, s.counters, maxDeadlineMs);
    this.challenger = new Challenger(s, this.keeper);
    this.readChecks = new ReadChecks({ windowMs: options?.challengeEveryMs });
    this.reads = this.on ? this.readObserver() : null;
  }

  /** Takes the GET_ACKs that may answer a challenge (before the reads, which take them too). */
  register(d: Dispatcher): void {
    d.on(OP.GET_ACK, (msg, from) => this.challenger.onGetAck(msg.entry, from));
  }

  /** Starts the challenge rounds (trust on only). */
  start(): void {
    if (this.options) this.s.timers.every(this.options.challengeEveryMs, () => this.challenger.round());
  }

  /** RTT from PING to PONG. */
  onPinged(peer: Peer, t: number): void {
    this.keeper.pinged(peer.key, t);
  }

  onProved(peer: Peer, t: number): void {
    this.keeper.ponged(peer.key, t);
  }

  /** PONG lists by trust-weighted draw when on; undefined (the handshake's random sample) when off. */
  pongPeers(n: number, excludeKey: AddressKey): Peer[] | undefined {
    if (!this.on) return undefined;
    return this.keeper.draw(this.s.table.active().filter((x) => x.key !== excludeKey), n, this.s.now());
  }

  /** GET targets for an owner: the FANOUT closest active peers; with trust on, failing ones replaced by the next closest. */
  readTargets(ownerId: bigint): Peer[] {
    const { table } = this.s;
    if (!this.on) return table.closestActive(ownerId, FANOUT);
    const now = this.s.now();
    return skipFailing(table.closestActive(ownerId, Infinity), FANOUT, (x) => this.keeper.failing(x.key, now));
  }

  /**
   * Reads that teach trust (docs/trust.md). A read that got the record
   * from one replica charges the replicas its list names that answered
   * not-found, an older record, or nothing within the GET timeout (bounded
   * in ReadChecks), and sends the record to every asked peer that lacked
   * it, so a late honest replica is repaired.
   */
  private readObserver(): ReadObserver {
    const s = this.s;
    return {
      found: (id, entry, from, answers) => {
        const asked: AskedPeer[] = [];
        for (const key of answers.asked) {
          const held = answers.held.get(key);
          const answer = answers.notFound.has(key) ? 'not-found' : held === undefined ? 'none' : held < entry.dat.time ? 'older' : 'newer-or-same';
          asked.push({ key, id: s.table.get(key)?.id ?? 0n, answer });
        }
        const now = s.now();
        const v = this.readChecks.found(id, entry.dat.time, entry.replicas, from, asked, now, this.maxDeadlineMs);
        for (const p of v.failed) this.keeper.readFailed(p, now);
        for (const p of v.repair) this.repair(p, entry);
        if (v.waiting.length > 0) this.expireLater(id, entry, now + this.maxDeadlineMs + 1);
      },
      // the next closest not asked, failing ones left out (they were passed over already)
      widen: (owner, asked) =>
        s.table
          .closestActive(owner, Infinity)
          .filter((x) => !asked.has(x.key) && !this.keeper.failing(x.key, s.now()))
          .slice(0, FANOUT),
      late: (entry, from, id) => {
        if (!this.readChecks.awaits(id, from)) return;
        const r = this.readChecks.late(id, from, isNotFound(entry) ? null : entry.dat.time, s.now());
        if (r === 'failed') this.keeper.readFailed(from, s.now());
        if (r === 'failed' || r === 'repair') void this.repairFromStore(from, entry);
      },
    };
  }

  /** Judges read `id`'s silent peers at `at` (ReadChecks.expire); the first in line has the timer. */
  private expireLater(id: string, entry: Entry, at: number): void {
    this.expiring.push({ id, entry, at });
    if (this.expiring.length - this.expiringFrom === 1) this.s.timers.timeout(() => this.expireDue(), at - this.s.now());
  }

  private expireDue(): void {
    const now = this.s.now();
    const q = this.expiring;
    while (this.expiringFrom < q.length && q[this.expiringFrom]!.at <= now) {
      const { id, entry } = q[this.expiringFrom++]!;
      for (const x of this.readChecks.expire(id, now)) {
        if (x.failed) this.keeper.readFailed(x.peer, now);
        this.repair(x.peer, entry);
      }
    }
    if (this.expiringFrom === q.length) {
      q.length = 0;
      this.expiringFrom = 0;
      return;
    }
    if (this.expiringFrom >= 1024) {
      // the done ones dropped now and then, not one by one
      q.splice(0, this.expiringFrom);
      this.expiringFrom = 0;
    }
    this.s.timers.timeout(() => this.expireDue(), q[this.expiringFrom]!.at - now);
  }

  /** Sends `entry` to the peer at `key` (UDP PUT: one record fits a datagram). */
  private repair(key: AddressKey, entry: Entry): void {
    const peer = this.s.table.get(key);
    if (!peer || this.s.closing()) return;
    this.s.send({ op: OP.PUT, entry }, peer.addr);
    this.s.counters.readRepairs++;
  }

  /** A late not-found: the record as we stored it from the read goes to the peer. */
  private async repairFromStore(key: AddressKey, answer: Entry): Promise<void> {
    try {
      const entry = await this.s.store.getByStoreKey(storeKey(answer.dat.pubKey, answer.dat.key));
      if (entry) this.repair(key, entry);
    } catch {
      // the store is closing or failing; its own paths report that
    }
  }

  /** Substitutes for the failing replicas of `ownerId`'s records; none when off. */
  substitutes(ownerId: bigint): Peer[] {
    if (!this.on) return [];
    return substitutesFor(this.s.table, this.keeper, this.s.id, ownerId, this.s.now());
  }

  /** A record went to `peer`: maybe remember a challenge. */
  sentTo(peer: Peer, entry: Entry): void {
    this.challenger.sentTo(peer, entry);
  }

  /** Forgets peers no longer in the table, so trust state stays bounded. */
  sweep(): void {
    this.keeper.sweep((k) => this.s.table.get(k) !== undefined);
    // read checks of peers gone are dropped with them (ReadChecks bounds the rest)
  }

  info(peerKey: AddressKey): PeerTrustInfo {
    return this.keeper.info(peerKey, this.s.now());
  }
}
