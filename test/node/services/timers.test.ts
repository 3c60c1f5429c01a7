/** node/services/timers.ts on a clock the test advances. */
import { expect } from 'chai';
import { Timers } from '../../../lib/node/services/timers.js';
import { silentLogger, type Clock } from '../../../lib/node/options.js';



/** A clock whose timers run only when the test advances it. */
function fakeClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => (timers.set(next, { at: now + ms, fn }), next++),
    clearTimeout: (h) => void timers.delete(h as number),
    pending: () => timers.size,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

describe('node/services/timers', () => {
  it('runs periodic tasks on the injected clock, survives a throwing task, and clearAll stops everything', () => {
    const clock = fakeClock();
    const t = new Timers(clock, silentLogger);
    const runs: number[] = [];
    t.every(100, () => {
      runs.push(clock.now());
      if (runs.length === 2) throw new Error('task failed');
    });
    let fired = 0;
    const h = t.timeout(() => fired++, 150);
    t.timeout(() => fired++, 50);
    t.clear(h);
    clock.advance(350);
    expect(runs).to.deep.equal([100, 200, 300]);
    expect(fired).to.equal(1);
    t.clearAll();
    expect(clock.pending()).to.equal(0);
    clock.advance(1_000);
    expect(runs).to.have.length(3);
  });
});
