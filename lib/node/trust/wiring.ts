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
import type { AddrPort } from '../../wire/address.js';
import type { Dat } from '../../wire/dat.js';
import type { Entry } from '../../wire/entry.js';
import { storeKey } from '../../records/record.js';
import type { Peer } from '../../peers/table.js';
import { skipFailing } from '../../peers/trust.js';
import { type AskedPeer, ReadChecks } from '../../peers/read-checks.js';
import { isNotFound } from '../../wire/message.js';
import { readKey } from '../reads/pending.js';
import type { ReadObserver } from '../reads/remote.js';
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
  private readonly reads: ReadChecks;

  constructor(private readonly d: NodeTrustDeps) {
    this.on = d.options !== null;
    this.keeper = new TrustKeeper(d.options ?? { ...DEFAULT_TRUST, challengeProbability: 0 }, d.ctx.counters, d.maxDeadlineMs);
    this.reads = new ReadChecks({ windowMs: d.options?.challengeEveryMs });
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

  /**
   * Reads that teach trust (docs/trust.md); undefined when off. A read
   * that got the record from one replica charges the replicas its list
   * names that answered not-found, an older record, or nothing within the
   * GET timeout (bounded in ReadChecks), and sends the record to every
   * asked peer that lacked it, so a late honest replica is repaired.
   */
  readObserver(): ReadObserver | undefined {
    if (!this.on) return undefined;
    const { ctx } = this.d;
    return {
      found: (id, entry, from, answers) => {
        const asked: AskedPeer[] = answers.asked.map((key) => {
          const held = answers.held.get(key);
          const answer = answers.notFound.has(key) ? 'not-found' : held === undefined ? 'none' : held < entry.dat.time ? 'older' : 'newer-or-same';
          return { key, id: ctx.table.get(key)?.id ?? 0n, answer };
        });
        const now = ctx.now();
        const v = this.reads.found(id, entry.dat.time, entry.replicas, from, asked, now, this.d.maxDeadlineMs);
        for (const p of v.failed) this.keeper.readFailed(p, now);
        for (const p of v.repair) this.repair(p, entry);
        if (v.waiting.length > 0) {
          this.d.timers.timeout(() => {
            for (const x of this.reads.expire(id, ctx.now())) {
              if (x.failed) this.keeper.readFailed(x.peer, ctx.now());
              this.repair(x.peer, entry);
            }
          }, this.d.maxDeadlineMs + 1);
        }
      },
      // the next closest not asked, failing ones left out (they were passed over already)
      widen: (owner, asked) =>
        closestActive(ctx.table, owner)
          .filter((x) => !asked.has(x.key) && !this.keeper.failing(x.key, ctx.now()))
          .slice(0, FANOUT),
      late: (entry, from) => {
        const id = readKey(entry.dat.pubKey, entry.dat.key);
        if (!this.reads.awaits(id, from)) return;
        const r = this.reads.late(id, from, isNotFound(entry) ? null : entry.dat.time, ctx.now());
        if (r === 'failed') this.keeper.readFailed(from, ctx.now());
        if (r === 'failed' || r === 'repair') void this.repairFromStore(from, entry);
      },
    };
  }

  /** Sends `entry` to the peer at `key` (UDP PUT: one record fits a datagram). */
  private repair(key: string, entry: Entry): void {
    const peer = this.d.ctx.table.get(key);
    if (!peer || this.d.ctx.closing()) return;
    this.d.ctx.send({ op: OP.PUT, entry }, peer.addr);
    this.d.ctx.counters.readRepairs++;
  }

  /** A late not-found: the record as we stored it from the read goes to the peer. */
  private async repairFromStore(key: string, answer: Entry): Promise<void> {
    try {
      const entry = await this.d.store.getByStoreKey(storeKey(answer.dat.pubKey, answer.dat.key));
      if (entry) this.repair(key, entry);
    } catch {
      // the store is closing or failing; its own paths report that
    }
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
    // read checks of peers gone are dropped with them (ReadChecks bounds the rest)
  }

  info(peerKey: string): PeerTrustInfo {
    return this.keeper.info(peerKey, this.d.ctx.now());
  }
}
