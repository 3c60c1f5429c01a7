/** The reliability score and the trust-weighted draw (docs/trust.md), as pure functions. */
import { expect } from 'chai';
import { PROBE } from '../../lib/constants.js';
import {
  DEFAULT_TRUST_PARAMS as P,
  NEUTRAL,
  type TrustState,
  challengeDeadline,
  isFailing,
  newTrust,
  recordOutcome,
  recordRtt,
  reliability,
  skipFailing,
  substitutes,
  weight,
  weightedDraw,
} from '../../lib/peers/trust.js';
import { prng } from '../support/seed.js';

/** A state with `p` passes and `f` fails, all at time 0. */
function history(p: number, f: number): TrustState {
  let s = newTrust(0);
  for (let i = 0; i < p; i++) s = recordOutcome(s, true, 0);
  for (let i = 0; i < f; i++) s = recordOutcome(s, false, 0);
  return s;
}

describe('peers/trust', () => {
  it('a peer with no evidence is neutral', () => {
    expect(reliability(newTrust(0), 0)).to.equal(NEUTRAL);
    expect(reliability(newTrust(0), 1e9)).to.equal(NEUTRAL);
    expect(isFailing(newTrust(0), 0)).to.equal(false);
  });

  it('is strictly increasing in passes and strictly decreasing in fails', () => {
    for (let f = 0; f < 6; f++) {
      for (let p = 0; p < 6; p++) {
        expect(reliability(history(p + 1, f), 0), `passes ${p}->${p + 1}, fails ${f}`).to.be.greaterThan(reliability(history(p, f), 0));
        expect(reliability(history(f, p + 1), 0), `fails ${p}->${p + 1}, passes ${f}`).to.be.lessThan(reliability(history(f, p), 0));
      }
    }
  });

  it('evidence ages: a failing peer drifts back towards neutral, a trusted one too', () => {
    const bad = history(0, 5);
    const good = history(5, 0);
    let lastBad = reliability(bad, 0);
    let lastGood = reliability(good, 0);
    for (const t of [60_000, P.halfLifeMs, 3 * P.halfLifeMs, 20 * P.halfLifeMs]) {
      const b = reliability(bad, t);
      const g = reliability(good, t);
      expect(b).to.be.greaterThan(lastBad);
      expect(g).to.be.lessThan(lastGood);
      lastBad = b;
      lastGood = g;
    }
    expect(lastBad).to.be.closeTo(NEUTRAL, 1e-3);
    expect(lastGood).to.be.closeTo(NEUTRAL, 1e-3);
    // one half-life halves the evidence: 5 fails weigh as 2.5
    expect(reliability(bad, P.halfLifeMs)).to.be.closeTo(1 / 4.5, 1e-9);
    // a recent fail weighs more than an old pass
    let s = recordOutcome(newTrust(0), true, 0);
    s = recordOutcome(s, false, 3 * P.halfLifeMs);
    expect(reliability(s, 3 * P.halfLifeMs)).to.be.lessThan(NEUTRAL);
  });

  it('"keeps failing" needs more than one fail, and a failing peer recovers by passing', () => {
    expect(isFailing(history(0, 1), 0), 'one lost answer').to.equal(false);
    expect(isFailing(history(0, 2), 0)).to.equal(true);
    let s = history(0, 2);
    s = recordOutcome(s, true, 0);
    s = recordOutcome(s, true, 0);
    expect(isFailing(s, 0)).to.equal(false);
    expect(s.passed).to.equal(2);
    expect(s.failed).to.equal(2);
  });

  it('smooths RTT as RFC 6298, and bases the challenge deadline on it', () => {
    let s = newTrust(0);
    expect(challengeDeadline(s, 100, 5_000), 'no sample: the longest wait').to.equal(5_000);
    s = recordRtt(s, 40);
    expect(s.srtt).to.equal(40);
    expect(s.rttvar).to.equal(20);
    expect(challengeDeadline(s, 100, 5_000)).to.equal(4 * (40 + 80));
    s = recordRtt(s, 80);
    expect(s.srtt).to.equal(45);
    expect(s.rttvar).to.equal(25);
    expect(challengeDeadline(recordRtt(newTrust(0), 1), 100, 5_000), 'floor').to.equal(100);
    expect(challengeDeadline(recordRtt(newTrust(0), 4_000), 100, 5_000), 'ceiling').to.equal(5_000);
  });

  it('the draw weight falls with RTT', () => {
    const fast = recordRtt(newTrust(0), 1);
    const slow = recordRtt(newTrust(0), 2_000);
    expect(weight(fast, 0)).to.be.greaterThan(weight(slow, 0));
    expect(weight(recordRtt(newTrust(0), P.rttHalfMs), 0)).to.be.closeTo(NEUTRAL / 2, 1e-12);
  });

  it('the weighted draw favours reliable peers, returns distinct items, and never starves a newcomer', () => {
    const peers = ['good', 'newcomer', 'bad1', 'bad2', 'bad3'];
    const w: Record<string, number> = { good: 0.95, newcomer: 0.5, bad1: 0, bad2: 0, bad3: 0 };
    const first: Record<string, number> = {};
    const rnd = prng(7);
    const N = 12_000;
    for (let i = 0; i < N; i++) {
      const d = weightedDraw(peers, 3, (p) => w[p]!, rnd);
      expect(new Set(d).size).to.equal(3);
      first[d[0]!] = (first[d[0]!] ?? 0) + 1;
    }
    expect(first.good! / N).to.be.closeTo((11 / 12) * (0.95 / 1.45) + 1 / 60, 0.02);
    expect(first.newcomer! / N, 'a neutral newcomer is drawn often').to.be.greaterThan(0.3);
    // zero-weight peers are reached only by the 1-in-PROBE uniform pick
    const bad = (first.bad1 ?? 0) + (first.bad2 ?? 0) + (first.bad3 ?? 0);
    expect(bad / N).to.be.closeTo(3 / 5 / PROBE, 0.01);
    expect(weightedDraw(peers, 9, (p) => w[p]!, rnd)).to.have.length(5);
    expect(weightedDraw([], 3, () => 1, rnd)).to.deep.equal([]);
  });

  it('GET targets skip failing peers for the next closest, and fill from failing ones only when short', () => {
    const failing = (x: string) => x.startsWith('f');
    expect(skipFailing(['a', 'f1', 'b', 'f2', 'c', 'd', 'e', 'g'], 5, failing)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(skipFailing(['f1', 'a', 'f2'], 3, failing)).to.deep.equal(['a', 'f1', 'f2']);
    expect(skipFailing(['a', 'b'], 5, failing)).to.deep.equal(['a', 'b']);
  });

  it('write substitutes: one next-closest reliable peer per failing replica', () => {
    const failing = (x: string) => x.startsWith('f');
    expect(substitutes(['a', 'f1', 'b', 'f2', 'c', 'f3', 'd', 'e'], 5, failing)).to.deep.equal(['d', 'e']);
    expect(substitutes(['a', 'b', 'c', 'd', 'e', 'g'], 5, failing)).to.deep.equal([]);
    expect(substitutes(['f1', 'f2', 'a'], 2, failing)).to.deep.equal(['a']);
  });
});
