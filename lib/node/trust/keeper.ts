/**
 * The node's trust keeper (docs/trust.md, docs/protocol.md §13): each
 * peer's reliability and RTT, the storage challenges remembered and in
 * flight, and the choices trust steers. It decides; the node acts (sends
 * the GETs, verifies the answers, re-propagates). Rules come from the
 * pure modules peers/trust and peers/challenges; this keeper holds their
 * state, keyed by the peer's address key, and takes `now` from the node.
 */
import type { AddressKey } from '../../wire/address.js';
import { FANOUT } from '../../constants.js';
import { invalidArgument } from '../../errors.js';
import { type Answer, type Challenge, ChallengeBook, type ChallengeLimits, type InFlight, judge } from '../../peers/challenges.js';
import {
  DEFAULT_TRUST_PARAMS,
  type TrustParams,
  type TrustState,
  challengeDeadline,
  isFailing,
  newTrust,
  recordOutcome,
  recordRtt,
  reliability,
  substitutes,
  weight,
  weightedDraw,
} from '../../peers/trust.js';
import { type Peer, type PeerTable, sortByDistance } from '../../peers/table.js';

/** Trust options (Dave.open({ trust })); every field optional. */
export interface TrustOptions {
  /** Chance that a record sent to a replica is remembered for a challenge. Default 0.1. */
  challengeProbability: number;
  /** Period of the challenge round. Default 10 000. */
  challengeEveryMs: number;
  /** A remembered challenge is due this long after the record was sent. Default 1 000. */
  challengeDelayMs: number;
  /** Least wait for a challenge's answer (the RTT-based deadline is floored here). Default 250. */
  challengeMinDeadlineMs: number;
  /** Half-life of a pass or fail. Default 600 000. */
  halfLifeMs: number;
  /** Below this reliability a peer is passed over for GETs and gets write substitutes. Default 0.3. */
  distrustBelow: number;
  /** Pending challenges per peer (default 8) and in all (default 4096). */
  maxChallengesPerPeer: number;
  maxChallenges: number;
  /** Tests and simulations: the randomness of challenge sampling and draws. Default Math.random. */
  random: () => number;
}

export const DEFAULT_TRUST: Readonly<TrustOptions> = Object.freeze({
  challengeProbability: 0.1,
  challengeEveryMs: 10_000,
  challengeDelayMs: 1_000,
  challengeMinDeadlineMs: 250,
  halfLifeMs: DEFAULT_TRUST_PARAMS.halfLifeMs,
  distrustBelow: DEFAULT_TRUST_PARAMS.distrustBelow,
  maxChallengesPerPeer: 8,
  maxChallenges: 4096,
  random: Math.random,
});

/**
 * Checks the `trust` option: false (trust off), or partial TrustOptions.
 * Returns null when trust is off. `random` replaces the default
 * Math.random (the node passes its `random` option when it has one).
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function resolveTrust(option: false | Partial<TrustOptions> | undefined, random?: () => number): TrustOptions | null {
  if (option === false) return null;
  if (option !== undefined && (option === null || typeof option !== 'object')) invalidArgument('trust must be false or an object');
  const t: TrustOptions = { ...DEFAULT_TRUST, ...(random ? { random } : {}), ...(option ?? {}) };
  const prob = (name: keyof TrustOptions, v: number, lo: number, hi: number) => {
    if (typeof v !== 'number' || !(v >= lo && v <= hi)) invalidArgument(`trust.${name} must be a number in [${lo}, ${hi}]`);
  };
  prob('challengeProbability', t.challengeProbability, 0, 1);
  prob('distrustBelow', t.distrustBelow, 0, 1);
  for (const k of ['challengeEveryMs', 'challengeDelayMs', 'challengeMinDeadlineMs', 'halfLifeMs'] as const) {
    if (typeof t[k] !== 'number' || !(t[k] > 0) || !Number.isFinite(t[k])) invalidArgument(`trust.${k} must be a positive number`);
  }
  for (const k of ['maxChallengesPerPeer', 'maxChallenges'] as const) {
    if (!Number.isSafeInteger(t[k]) || t[k] < 1) invalidArgument(`trust.${k} must be a positive integer`);
  }
  if (typeof t.random !== 'function') invalidArgument('trust.random must be a function');
  return t;
}

/** What node.peers() shows of a peer's trust. */
export interface PeerTrustInfo {
  /** In (0, 1); 0.5 with no evidence. */
  reliability: number;
  /** Smoothed PING→PONG round trip, ms; null before the first. */
  rttMs: number | null;
  challenges: { sent: number; passed: number; failed: number };
}

export interface TrustCounters {
  challengesSent: number;
  challengesPassed: number;
  challengesFailed: number;
  /** Records sent again after a failed challenge. */
  repropagated: number;
  /** Reads that taught trust: peers charged a failed check (docs/trust.md), and records sent to repair a peer that lacked them. */
  readChecksFailed: number;
  readRepairs: number;
}

/** A challenge verdict, for the node to act on (re-propagation). */
export interface Verdict {
  challenge: InFlight;
  passed: boolean;
}

export class TrustKeeper {
  private readonly states = new Map<AddressKey, TrustState>();
  private readonly pingSent = new Map<AddressKey, number>();
  private readonly book: ChallengeBook;
  private readonly params: TrustParams;

  constructor(
    readonly options: TrustOptions,
    private readonly counters: TrustCounters,
    /** The longest wait for a challenge's answer (the node's GET timeout). */
    private readonly maxDeadlineMs: number,
  ) {
    const limits: ChallengeLimits = { perPeer: options.maxChallengesPerPeer, total: options.maxChallenges };
    this.book = new ChallengeBook(limits);
    this.params = { ...DEFAULT_TRUST_PARAMS, halfLifeMs: options.halfLifeMs, distrustBelow: options.distrustBelow };
  }

  private state(peer: AddressKey, now: number): TrustState {
    let s = this.states.get(peer);
    if (!s) this.states.set(peer, (s = newTrust(now)));
    return s;
  }

  /** A PING carrying a fresh challenge went to `peer`. */
  pinged(peer: AddressKey, now: number): void {
    this.pingSent.set(peer, now);
  }

  /** `peer` answered our last PING correctly: an RTT sample. */
  ponged(peer: AddressKey, now: number): void {
    const sent = this.pingSent.get(peer);
    if (sent === undefined) return;
    this.pingSent.delete(peer);
    this.states.set(peer, recordRtt(this.state(peer, now), now - sent));
  }

  /** A record went to replica `peer`: remembered for a challenge with challengeProbability. */
  sent(peer: AddressKey, c: Omit<Challenge, 'peer' | 'due'>, now: number): void {
    if (this.options.random() >= this.options.challengeProbability) return;
    this.book.remember({ ...c, peer, due: now + this.options.challengeDelayMs });
  }

  /**
   * One challenge round at `now`: the challenges whose deadline passed are
   * fails (returned, for re-propagation); then up to FANOUT peers with a
   * due challenge, of those `known` still holds, get one each (returned,
   * for the node to send the GET).
   */
  round(now: number, known: (peer: AddressKey) => boolean): { ask: InFlight[]; failed: Verdict[] } {
    const failed = this.expire(now);
    const ask: InFlight[] = [];
    for (const c of this.book.take(now, FANOUT)) {
      if (!known(c.peer)) continue;
      const deadline = now + challengeDeadline(this.state(c.peer, now), this.options.challengeMinDeadlineMs, this.maxDeadlineMs);
      ask.push(this.book.start(c, now, deadline));
      this.state(c.peer, now).challenged++;
      this.counters.challengesSent++;
    }
    return { ask, failed };
  }

  /** The challenges in flight whose deadline passed: silence, a fail. */
  expire(now: number): Verdict[] {
    return this.book.expired(now).map((c) => this.verdict(c, { kind: 'not-found' }, now));
  }

  /** True while a challenge waits for its answer (a GET_ACK may be one). */
  get challenging(): boolean {
    return this.book.flyingCount > 0;
  }

  /** Claims the challenge a GET_ACK answers (so a second answer cannot count); then judge() it. */
  claim(peer: AddressKey, id: string): InFlight | undefined {
    return this.book.settle(peer, id);
  }

  /** The verdict on a claimed challenge's answer, recorded in the peer's score. */
  verdict(c: InFlight, a: Answer, now: number): Verdict {
    const passed = judge(c, a);
    this.states.set(c.peer, recordOutcome(this.state(c.peer, now), passed, now, this.params));
    if (passed) this.counters.challengesPassed++;
    else this.counters.challengesFailed++;
    return { challenge: c, passed };
  }

  /** A read's check of `peer` failed (not-found, older, or silent): counted as a failed challenge is. */
  readFailed(peer: AddressKey, now: number): void {
    this.states.set(peer, recordOutcome(this.state(peer, now), false, now, this.params));
    this.counters.readChecksFailed++;
  }

  /** True when `peer` keeps failing its challenges. */
  failing(peer: AddressKey, now: number): boolean {
    const s = this.states.get(peer);
    return s !== undefined && isFailing(s, now, this.params);
  }

  /** Up to `n` of `peers` by trust-weighted draw (1 in PROBE uniform). */
  draw<T extends { key: AddressKey }>(peers: readonly T[], n: number, now: number): T[] {
    return weightedDraw(peers, n, (p) => weight(this.state(p.key, now), now, this.params), this.options.random);
  }

  info(peer: AddressKey, now: number): PeerTrustInfo {
    const s = this.states.get(peer) ?? newTrust(now);
    return {
      reliability: reliability(s, now, this.params),
      rttMs: s.srtt,
      challenges: { sent: s.challenged, passed: s.passed, failed: s.failed },
    };
  }

  /** Forgets every peer `known` no longer holds (bounded memory; the node calls it at each prune). */
  sweep(known: (peer: AddressKey) => boolean): void {
    for (const peer of [...this.states.keys()]) {
      if (known(peer)) continue;
      this.states.delete(peer);
      this.pingSent.delete(peer);
      this.book.forget(peer);
    }
    for (const peer of [...this.pingSent.keys()]) if (!known(peer)) this.pingSent.delete(peer);
  }
}

/**
 * Substitutes for the failing ones of the FANOUT closest of this node
 * (`selfId`) and the active peers to `owner` (docs/trust.md).
 */
export function substitutesFor(table: PeerTable, trust: TrustKeeper, selfId: bigint, owner: bigint, now: number): Peer[] {
  const self = { id: selfId, key: '' } as Peer;
  const sorted = sortByDistance([self, ...table.activeById().values()], owner, (x) => x.id);
  return substitutes(sorted, FANOUT, (x) => x !== self && trust.failing(x.key, now)).filter((x) => x !== self);
}
