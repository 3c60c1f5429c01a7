/**
 * Peer reliability (docs/trust.md, docs/protocol.md §13), as pure rules:
 * a score from a peer's storage-challenge history and its round-trip
 * time, and the trust-weighted draw of peers. Everything here takes `now`
 * and its inputs; nothing reads a clock, keeps a timer or logs. Scores are
 * local: never sent, never taken from another node.
 *
 * The score is the mean of a Beta(1 + passes, 1 + fails) belief about the
 * chance that the peer answers a challenge, where passes and fails decay
 * with a half-life: old evidence weighs less, and with no recent evidence
 * a peer drifts back to the neutral 0.5 a newcomer starts with (a peer
 * that failed once can earn its way back; one that passed long ago is not
 * trusted for ever). The draw weight multiplies the score by a factor that
 * falls with the peer's smoothed RTT.
 */
import { PROBE } from '../constants.js';

/** What a node knows about one peer's reliability. Plain data. */
export interface TrustState {
  /** Decayed passes and fails, as of `updated`. */
  passes: number;
  fails: number;
  /** When passes and fails were last decayed, ms. */
  updated: number;
  /** Smoothed RTT (RFC 6298), ms; null before the first sample. */
  srtt: number | null;
  /** RTT variation (RFC 6298), ms. */
  rttvar: number;
  /** Plain counts, for node.peers(). */
  challenged: number;
  passed: number;
  failed: number;
}

/** Tunables of the score; defaults in DEFAULT_TRUST_PARAMS. */
export interface TrustParams {
  /** Half-life of a pass or a fail, ms. */
  halfLifeMs: number;
  /** RTT at which the draw weight is halved, ms. */
  rttHalfMs: number;
  /** A peer scoring below this is "failing": GETs and writes go past it. */
  distrustBelow: number;
}

export const DEFAULT_TRUST_PARAMS: Readonly<TrustParams> = Object.freeze({
  halfLifeMs: 10 * 60_000,
  rttHalfMs: 500,
  distrustBelow: 0.3,
});

/** The score of a peer with no evidence. */
export const NEUTRAL = 0.5;

export function newTrust(now: number): TrustState {
  return { passes: 0, fails: 0, updated: now, srtt: null, rttvar: 0, challenged: 0, passed: 0, failed: 0 };
}

/** The factor evidence of age `ageMs` still weighs (1 when fresh). */
export function decayFactor(ageMs: number, halfLifeMs: number): number {
  return ageMs <= 0 ? 1 : Math.pow(0.5, ageMs / halfLifeMs);
}

/** Passes and fails as they weigh at `now`. */
export function evidence(s: TrustState, now: number, p: TrustParams = DEFAULT_TRUST_PARAMS): { passes: number; fails: number } {
  const f = decayFactor(now - s.updated, p.halfLifeMs);
  return { passes: s.passes * f, fails: s.fails * f };
}

/**
 * Reliability in (0, 1): the Beta(1, 1)-prior mean of the decayed
 * evidence, (1 + passes) / (2 + passes + fails). 0.5 with no evidence.
 */
export function reliability(s: TrustState, now: number, p: TrustParams = DEFAULT_TRUST_PARAMS): number {
  const e = evidence(s, now, p);
  return (1 + e.passes) / (2 + e.passes + e.fails);
}

/** The evidence decayed to `now`, with one more pass or fail. */
export function recordOutcome(s: TrustState, passed: boolean, now: number, p: TrustParams = DEFAULT_TRUST_PARAMS): TrustState {
  const e = evidence(s, now, p);
  return {
    ...s,
    passes: e.passes + (passed ? 1 : 0),
    fails: e.fails + (passed ? 0 : 1),
    updated: Math.max(now, s.updated),
    passed: s.passed + (passed ? 1 : 0),
    failed: s.failed + (passed ? 0 : 1),
  };
}

/** A new RTT sample folded in, RFC 6298 (alpha 1/8, beta 1/4). */
export function recordRtt(s: TrustState, sampleMs: number): TrustState {
  const r = Math.max(0, sampleMs);
  if (s.srtt === null) return { ...s, srtt: r, rttvar: r / 2 };
  const rttvar = 0.75 * s.rttvar + 0.25 * Math.abs(s.srtt - r);
  return { ...s, srtt: 0.875 * s.srtt + 0.125 * r, rttvar };
}

/**
 * How long to wait for a challenge's answer: four times the RTO of
 * RFC 6298 (srtt + 4 rttvar), within [minMs, maxMs]; maxMs before any sample.
 */
export function challengeDeadline(s: TrustState, minMs: number, maxMs: number): number {
  if (s.srtt === null) return maxMs;
  return Math.min(maxMs, Math.max(minMs, 4 * (s.srtt + 4 * s.rttvar)));
}

/**
 * The weight of a peer in a trust-weighted draw: reliability times
 * rttHalf / (rttHalf + srtt), the RTT factor being 1 before any sample
 * (a proven peer has one: it proved its key with a PONG).
 */
export function weight(s: TrustState, now: number, p: TrustParams = DEFAULT_TRUST_PARAMS): number {
  const rtt = s.srtt ?? 0;
  return reliability(s, now, p) * (p.rttHalfMs / (p.rttHalfMs + rtt));
}

/** True when the peer keeps failing: its reliability is below p.distrustBelow. */
export function isFailing(s: TrustState, now: number, p: TrustParams = DEFAULT_TRUST_PARAMS): boolean {
  return reliability(s, now, p) < p.distrustBelow;
}

/**
 * Up to `n` distinct items drawn without replacement. Each pick is, one
 * time in `probe`, uniform over the items left (so a newcomer or a peer
 * that failed gets a chance to show itself), else weighted by `weightOf`
 * (godave's peer store draw, PROBE = 12, docs/protocol.md §1).
 */
export function weightedDraw<T>(items: readonly T[], n: number, weightOf: (t: T) => number, random: () => number = Math.random, probe: number = PROBE): T[] {
  const pool = items.map((item) => ({ item, w: Math.max(0, weightOf(item)) }));
  const out: T[] = [];
  while (out.length < n && pool.length > 0) {
    let i: number;
    const total = pool.reduce((s, x) => s + x.w, 0);
    if (random() * probe < 1 || !(total > 0)) {
      i = Math.min(pool.length - 1, Math.floor(random() * pool.length));
    } else {
      let r = random() * total;
      i = 0;
      while (i < pool.length - 1 && r >= pool[i]!.w) r -= pool[i++]!.w;
    }
    out.push(pool[i]!.item);
    pool.splice(i, 1);
  }
  return out;
}

/**
 * The first `n` of `sorted` (closest first) that are not failing; when
 * fewer than `n` are, the closest failing ones fill the rest. GET targets:
 * a peer that keeps failing is replaced by the next closest.
 */
export function skipFailing<T>(sorted: readonly T[], n: number, failing: (t: T) => boolean): T[] {
  const good: T[] = [];
  const bad: T[] = [];
  for (const x of sorted) {
    if (good.length >= n) break;
    if (failing(x)) bad.push(x);
    else good.push(x);
  }
  return good.concat(bad.slice(0, Math.max(0, n - good.length)));
}

/**
 * Write targets beyond the replica list: for each failing member of
 * `replicas` (the XOR-closest `n` of `sorted`), the next closest peer of
 * `sorted` that is not failing and not already a replica. The replicas
 * keep their records (they are challenged again and can recover); the
 * substitutes keep reads working meanwhile.
 */
export function substitutes<T>(sorted: readonly T[], n: number, failing: (t: T) => boolean): T[] {
  const replicas = sorted.slice(0, n);
  let need = replicas.filter(failing).length;
  const out: T[] = [];
  for (let i = n; i < sorted.length && need > 0; i++) {
    const x = sorted[i]!;
    if (failing(x)) continue;
    out.push(x);
    need--;
  }
  return out;
}
