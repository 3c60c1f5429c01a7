/**
 * Trust in a running network (docs/trust.md): storage challenges find
 * freeloaders and liars, and reliability steers reads and writes past them.
 */
import { expect } from 'chai';
import { publicKeyFromSeed } from '../../../lib/crypto/ed25519.js';
import { until } from '../support/cluster.js';
import { resolveTrust } from '../../../lib/node/trust/keeper.js';
import { random } from '../../support/seed.js';
import { discardingStore, forgedEntry, records, trustNet, writeThenRead } from '../support/trust-net.js';

// the test PRNG (DAVE_TEST_SEED replays it) draws challenges and peer choices
const TRUST = { challengeEveryMs: 300, challengeDelayMs: 200, challengeProbability: 0.5, random };

// Real loopback sockets and the wall clock, on purpose: the end-to-end check of trust over the real
// UDP and TCP transports; the same properties on virtual time are simulator experiment 5b (test/sim).
describe('node: trust', function () {
  this.timeout(60_000);

  it('with a third of 21 nodes freeloading near an owner, reads succeed far more often with trust on than off', async () => {
    const rates: Record<string, number> = {};
    for (const on of [true, false]) {
      const tn = await trustNet(14, 7, { trust: on ? TRUST : false });
      try {
        const r = await writeThenRead(tn, { warmup: 10, measured: 6, warmupSettleMs: 2_000, settleMs: 500 });
        rates[on ? 'on' : 'off'] = r.rate;
        console.log(`      trust ${on ? 'on' : 'off'}: ${r.ok}/${r.total} reads, failures ${JSON.stringify(r.errors)}`);
        const s = tn.honest.map((n) => n.stats());
        const sum = (f: (x: (typeof s)[number]) => number) => s.reduce((a, x) => a + f(x), 0);
        if (on) {
          expect(sum((x) => x.challengesFailed), 'freeloaders failed challenges').to.be.greaterThan(0);
          expect(sum((x) => x.repropagated), 'failed records sent again').to.be.greaterThan(0);
          // honest peers, as the nodes that challenged them see them, score above neutral on average; freeloaders below
          const freeloaders = new Set(tn.freeloaders.map((f) => f.address()));
          // challenge rounds run on their own timer: wait until an honest peer has a verdict (a loaded machine can be late)
          const judged = () => tn.honest.flatMap((n) => n.peers()).filter((p) => p.challenges.passed + p.challenges.failed > 0);
          await until(() => judged().some((p) => !freeloaders.has(p.address)), 10_000, 'a verdict on an honest peer');
          const seen = tn.honest.flatMap((n) => n.peers()).filter((p) => p.challenges.sent > 0);
          const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
          expect(mean(seen.filter((p) => !freeloaders.has(p.address)).map((p) => p.reliability))).to.be.greaterThan(0.5);
          expect(mean(seen.filter((p) => freeloaders.has(p.address)).map((p) => p.reliability))).to.be.below(0.3);
        } else {
          expect(sum((x) => x.challengesSent), 'trust off sends no challenge').to.equal(0);
        }
      } finally {
        await tn.close();
      }
    }
    console.log(`      read success: trust on ${(rates.on! * 100).toFixed(1)}%, off ${(rates.off! * 100).toFixed(1)}%`);
    expect(rates.on).to.be.at.least(0.97);
    expect(rates.on! - rates.off!).to.be.at.least(0.3);
  });
});

describe('node: trust against a liar', function () {
  this.timeout(30_000);

  it('a peer answering GETs with records that fail verification loses reliability and stops being asked first', async () => {
    const asked: string[] = [];
    const liarStore = () =>
      discardingStore((pubKey, key) => {
        asked.push(new TextDecoder().decode(key));
        return forgedEntry(pubKey, key);
      });
    const tn = await trustNet(6, 1, { trust: { challengeProbability: 1, challengeEveryMs: 200, challengeDelayMs: 100, random } }, liarStore);
    try {
      const [reader] = tn.honest;
      const liar = tn.freeloaders[0]!;
      const owner = publicKeyFromSeed(tn.targetedOwner);
      // no evidence yet: the liar is the closest peer, so it is asked
      expect(await reader!.get(owner, 'absent-before').catch((e) => e.code)).to.equal('ERR_NOT_FOUND');
      expect(asked).to.include('absent-before');
      const w = reader!.batchWriter(owner);
      for (const d of await records(tn.targetedOwner, 6, 'r')) await w.write(d);
      await w.close();
      const liarInfo = () => reader!.peers().find((p) => p.address === liar.address())!;
      await until(() => liarInfo().challenges.failed >= 2, 15_000, 'the liar to fail two challenges');
      expect(liarInfo().reliability).to.be.below(0.3);
      expect(reader!.stats().verifyFailures, 'its answers failed verification').to.be.greaterThan(0);
      const others = reader!.peers().filter((p) => p.address !== liar.address() && p.challenges.sent > 0);
      for (const p of others) expect(p.reliability).to.be.greaterThan(liarInfo().reliability);
      // now a read goes past it to the next closest peers
      expect(await reader!.get(owner, 'absent-after').catch((e) => e.code)).to.equal('ERR_NOT_FOUND');
      expect(asked).to.not.include('absent-after');
    } finally {
      await tn.close();
    }
  });
});

describe('node/trust options', () => {
  it('fills defaults, turns off with false, and refuses bad values with ERR_INVALID_ARGUMENT', () => {
    expect(resolveTrust(undefined)).to.include({ challengeProbability: 0.1, challengeEveryMs: 10_000, distrustBelow: 0.3 });
    expect(resolveTrust(false)).to.equal(null);
    expect(resolveTrust({ challengeProbability: 0 })!.challengeProbability).to.equal(0);
    const bad: unknown[] = [
      { challengeProbability: 1.5 },
      { challengeProbability: -0.1 },
      { challengeEveryMs: 0 },
      { challengeDelayMs: Number.NaN },
      { halfLifeMs: Infinity },
      { maxChallenges: 1.5 },
      { random: 7 },
      'yes',
      null,
    ];
    for (const b of bad) {
      expect(() => resolveTrust(b as never), JSON.stringify(b)).to.throw().with.property('code', 'ERR_INVALID_ARGUMENT');
    }
  });
});
