/**
 * Trust in a running network (docs/trust.md): storage challenges find
 * freeloaders and liars, and reliability steers reads and writes past them.
 */
import { expect } from 'chai';
import { trustNet, writeThenRead } from './support/trust-net.js';

const TRUST = { challengeEveryMs: 300, challengeDelayMs: 200, challengeProbability: 0.5 };

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
        if (on) {
          const s = tn.honest.map((n) => n.stats());
          expect(s.reduce((a, x) => a + x.challengesFailed, 0), 'freeloaders failed challenges').to.be.greaterThan(0);
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
