/**
 * The node's trust wiring (docs/trust.md): one TrustKeeper (scores, RTT,
 * pending challenges) and one Challenger (rounds, verdicts,
 * re-propagation), with the hooks the other modules take: PING/PONG times
 * and PONG lists for the handshake, read targets for remote gets, sent
 * records and substitutes for the batch writer and replication. With trust
 * off the keeper still measures RTT for peers() and remembers no
 * challenge, and every hook falls back to godave's choice.
 */
import { FANOUT, OP } from '../../constants.js';
import type { Entry } from '../../wire/entry.js';
import type { Peer } from '../../peers/table.js';
import { skipFailing } from '../../peers/trust.js';
import { Challenger } from './challenger.js';
import type { BaseServices, NodeServices, TrustHooks } from '../services/services.js';
import type { Dispatcher } from '../services/dispatch.js';
import { DEFAULT_TRUST, type PeerTrustInfo, TrustKeeper, type TrustOptions, substitutesFor } from './keeper.js';

/** The node's trust: the keeper, the challenger, and the hooks every other flow takes from the services. */
export class NodeTrust implements TrustHooks {
  private readonly keeper: TrustKeeper;
  private readonly challenger: Challenger;
  private readonly on: boolean;

  constructor(
    private readonly s: BaseServices & Pick<NodeServices, 'intake'>,
    /** null: trust off. */
    private readonly options: TrustOptions | null,
    maxDeadlineMs: number,
  ) {
    this.on = options !== null;
    this.keeper = new TrustKeeper(options ?? { ...DEFAULT_TRUST, challengeProbability: 0 }, s.counters, maxDeadlineMs);
    this.challenger = new Challenger(s, this.keeper);
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
  pongPeers(n: number, excludeKey: string): Peer[] | undefined {
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
  }

  info(peerKey: string): PeerTrustInfo {
    return this.keeper.info(peerKey, this.s.now());
  }
}
