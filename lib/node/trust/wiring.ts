/**
 * The node's trust wiring (docs/trust.md): one TrustKeeper (scores, RTT,
 * pending challenges) and one Challenger (rounds, verdicts,
 * re-propagation), with the hooks the other modules take: PING/PONG times
 * and PONG lists for the handshake, read targets for remote gets, sent
 * records and substitutes for the batch writer and replication. With trust
 * off the keeper still measures RTT for peers() and remembers no
 * challenge, and every hook falls back to godave's choice.
 */
import { FANOUT } from '../../constants.js';
import type { AddrPort } from '../../wire/address.js';
import type { Dat } from '../../wire/dat.js';
import type { Entry } from '../../wire/entry.js';
import type { Peer } from '../../peers/table.js';
import { skipFailing } from '../../peers/trust.js';
import type { StoreLike } from '../../store/types.js';
import { Challenger } from './challenger.js';
import type { NodeContext } from '../services/context.js';
import type { HandshakeDeps } from '../peers/handshake.js';
import type { Timers } from '../services/timers.js';
import { DEFAULT_TRUST, type PeerTrustInfo, TrustKeeper, type TrustOptions, closestActive, substitutesFor } from './keeper.js';

export interface NodeTrustDeps {
  readonly ctx: NodeContext;
  readonly timers: Timers;
  readonly store: Pick<StoreLike, 'getByStoreKey'>;
  readonly selfId: bigint;
  /** null: trust off. */
  readonly options: TrustOptions | null;
  readonly maxDeadlineMs: number;
  readonly intake: { verify(dat: Dat): Promise<void>; countVerifyError(err: unknown): void };
}

export class NodeTrust {
  private readonly keeper: TrustKeeper;
  private readonly challenger: Challenger;
  private readonly on: boolean;

  constructor(private readonly d: NodeTrustDeps) {
    this.on = d.options !== null;
    this.keeper = new TrustKeeper(d.options ?? { ...DEFAULT_TRUST, challengeProbability: 0 }, d.ctx.counters, d.maxDeadlineMs);
    this.challenger = new Challenger({
      ctx: d.ctx,
      trust: this.keeper,
      timers: d.timers,
      store: d.store,
      selfId: d.selfId,
      verify: (dat) => d.intake.verify(dat),
      countVerifyError: (err) => d.intake.countVerifyError(err),
    });
  }

  /** Starts the challenge rounds (trust on only). */
  start(): void {
    if (this.d.options) this.d.timers.every(this.d.options.challengeEveryMs, () => this.challenger.round());
  }

  /** The handshake's hooks: RTT from PING to PONG; PONG lists by trust-weighted draw when on. */
  handshakeHooks(): Pick<HandshakeDeps, 'onPinged' | 'onProved' | 'pongPeers'> {
    const { table, now } = this.d.ctx;
    return {
      onPinged: (peer, t) => this.keeper.pinged(peer.key, t),
      onProved: (peer, t) => this.keeper.ponged(peer.key, t),
      pongPeers: this.on ? (n, exclude) => this.keeper.draw(table.active().filter((x) => x.key !== exclude), n, now()) : undefined,
    };
  }

  /** GET targets for an owner: the closest active peers, failing ones replaced by the next closest; undefined when off. */
  readTargets(): ((ownerId: bigint) => Peer[]) | undefined {
    if (!this.on) return undefined;
    const { table, now } = this.d.ctx;
    return (owner) => skipFailing(closestActive(table, owner), FANOUT, (x) => this.keeper.failing(x.key, now()));
  }

  /** Substitutes for the failing replicas of `ownerId`'s records; undefined when off. */
  substitutes(ownerId: bigint): (() => Peer[]) | undefined {
    if (!this.on) return undefined;
    const { table, now } = this.d.ctx;
    return () => substitutesFor(table, this.keeper, this.d.selfId, ownerId, now());
  }

  /** A record went to `peer`: maybe remember a challenge. */
  sentTo(peer: Peer, entry: Entry): void {
    this.challenger.sentTo(peer, entry);
  }

  /** A GET_ACK arrived: judge it if it answers a challenge. */
  onGetAck(entry: Entry, from: AddrPort): void {
    this.challenger.onGetAck(entry, from);
  }

  /** Forgets peers no longer in the table, so trust state stays bounded. */
  sweep(): void {
    this.keeper.sweep((k) => this.d.ctx.table.get(k) !== undefined);
  }

  info(peerKey: string): PeerTrustInfo {
    return this.keeper.info(peerKey, this.d.ctx.now());
  }
}
