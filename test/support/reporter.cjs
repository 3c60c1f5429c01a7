// Mocha reporter: mocha's own "spec" output, then one closing line
// "N passed, N failed" (N skipped when any) that CI reads.
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class DaveReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || {};
      const skipped = s.pending ? `, ${s.pending} skipped` : '';
      // after Spec's epilogue, which is also written on EVENT_RUN_END
      process.nextTick(() => console.log(`${s.passes || 0} passed, ${s.failures || 0} failed${skipped}`));
    });
  }
}
module.exports = DaveReporter;
