/**
 * Experiment 1: virtual time until every node has every other node
 * active, against N. Real crypto; protocol timings; links 5-50 ms uniform.
 * Run: npm run build && node dist/benchmarks/sim-convergence.js [N...]
 */
import { convergence } from './sim/experiments.js';
import { chart, lineSpec, publish, table, wallclock } from './sim/report.js';

const ns = process.argv.slice(2).map(Number);
const sizes = ns.length > 0 ? ns : [5, 10, 20, 40, 80];
const rows = [];
for (const n of sizes) {
  const real = wallclock();
  const r = await convergence(n, { seed: 1 });
  rows.push({ n, seconds: r.ms === null ? null : r.ms / 1000, speed: r.speed, real: real() });
  console.error(JSON.stringify(rows.at(-1)));
}
await chart('convergence', lineSpec('Convergence: every node sees every other active', rows, ['n', 'nodes (N)'], ['seconds', 'virtual seconds']));
publish(
  'convergence',
  '### 1. Convergence against N (seed 1, real crypto)',
  table(rows, [
    ['n', 'N'],
    ['seconds', 'virtual s until all active', 0],
    ['speed', 'virtual s per real s', 1],
    ['real', 'real s', 1],
  ]) + '\n\n![convergence](sim/convergence.svg)',
  rows,
);
