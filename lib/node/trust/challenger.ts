/**
 * Storage challenges on the wire (docs/trust.md): the periodic round sends
 * each challenged peer an ordinary GET for a record we sent it; its
 * GET_ACK is verified and judged; a fail re-propagates the record, by UDP
 * PUT, to that replica and to the next-closest reliable peer. The choices
 * come from the TrustKeeper; this module owns the effects.
 */
import { FANOUT, OP } from '../../constants.js';
import { type AddrPort, addressKey } from '../../wire/address.js';
import type { Entry } from '../../wire/entry.js';
import { isNotFound } from '../../wire/message.js';
import { nodeId, storeKey } from '../../records/record.js';
import type { Peer } from '../../peers/table.js';
import { sortByDistance } from '../../peers/table.js';
import type { InFlight } from '../../peers/challenges.js';
import type { BaseServices, NodeServices } from '../services/services.js';
import { readKey } from '../reads/pending.js';
import type { TrustKeeper, Verdict } from './keeper.js';

/** What the challenger takes from the services. */
export type ChallengerServices = Pick<BaseServices, 'id' | 'table' | 'counters' | 'timers' | 'store' | 'now' | 'send' | 'closing'> & {
  readonly intake: Pick<NodeServices['intake'], 'verify' | 'countVerifyError'>;
};

export class Challenger {
  constructor(
    private readonly s: ChallengerServices,
    private readonly keeper: TrustKeeper,
  ) {}

  /** A record went to `peer`: maybe remember a challenge for it. */
  sentTo(peer: Peer, entry: Entry): void {
    const { dat } = entry;
    this.keeper.sent(peer.key, { id: readKey(dat.pubKey, dat.key), owner: dat.pubKey, key: dat.key, time: dat.time }, this.s.now());
  }

  /** One challenge round: expire what went unanswered, ask up to FANOUT peers. */
  round(): void {
    const ctx = this.s;
    const trust = this.keeper;
    const now = ctx.now();
    const { ask, failed } = trust.round(now, (k) => ctx.table.get(k) !== undefined);
    this.onVerdicts(failed);
    let last = now;
    for (const c of ask) {
      const peer = ctx.table.get(c.peer);
      if (!peer) continue;
      ctx.send({ op: OP.GET, pubKey: c.owner, key: c.key }, peer.addr);
      last = Math.max(last, c.deadline);
    }
    // silence is judged at the deadline, not at the next round
    if (ask.length > 0) this.s.timers.timeout(() => this.onVerdicts(trust.expire(ctx.now())), last - now + 1);
  }

  /** A GET_ACK: when it answers a challenge in flight, judge it. */
  onGetAck(entry: Entry, from: AddrPort): void {
    const ctx = this.s;
    const trust = this.keeper;
    if (!trust.challenging) return; // most GET_ACKs answer reads: no keys made for them
    const fromKey = addressKey(from);
    const id = readKey(entry.dat.pubKey, entry.dat.key);
    const c = trust.claim(fromKey, id);
    if (c === undefined) return;
    const now = ctx.now();
    if (now > c.deadline || isNotFound(entry)) return this.onVerdicts([trust.verdict(c, { kind: 'not-found' }, now)]);
    const time = entry.dat.time;
    this.s.intake.verify(entry.dat).then(
      () => this.onVerdicts([trust.verdict(c, { kind: 'record', verified: true, time }, ctx.now())]),
      (err) => {
        this.s.intake.countVerifyError(err);
        this.onVerdicts([trust.verdict(c, { kind: 'record', verified: false, time }, ctx.now())]);
      },
    );
  }

  private onVerdicts(verdicts: Verdict[]): void {
    for (const v of verdicts) if (!v.passed && !this.s.closing()) void this.repropagate(v.challenge);
  }

  /**
   * A replica failed its challenge: the record goes again to it and to the
   * closest active peer, not among the entry's replicas, that is not
   * failing (by UDP PUT: one record fits a datagram). Never rejects.
   */
  private async repropagate(c: InFlight): Promise<void> {
    const ctx = this.s;
    const trust = this.keeper;
    let entry: Entry | undefined;
    try {
      entry = await this.s.store.getByStoreKey(storeKey(c.owner, c.key));
    } catch {
      return; // the store is closing or failing; its own paths report that
    }
    if (!entry || ctx.closing()) return;
    const now = ctx.now();
    const targets: Peer[] = [];
    const failed = ctx.table.get(c.peer);
    if (failed) targets.push(failed);
    const sorted = sortByDistance([...ctx.table.activeById().values()], nodeId(c.owner), (p) => p.id);
    const next = sorted.find(
      (p) => p.id !== this.s.id && p.key !== c.peer && !entry.replicas.slice(0, FANOUT).includes(p.id) && !trust.failing(p.key, now),
    );
    if (next) targets.push(next);
    for (const p of targets) {
      ctx.send({ op: OP.PUT, entry }, p.addr);
      ctx.counters.repropagated++;
      this.sentTo(p, entry);
    }
  }
}
