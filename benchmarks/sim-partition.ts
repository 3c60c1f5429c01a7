/**
 * Experiment 4: partition and heal. 20 nodes converge, 10 records are
 * written, the network splits in two halves for 60 virtual s, side A
 * writes 10 more records, then the split heals for 60 s. Real crypto.
 * Run: node dist/benchmarks/sim-partition.js
 */
import { partitionHeal } from './sim/experiments.js';
import { publish, table } from './sim/report.js';

const rows = [];
for (const seed of [1, 2, 3]) {
  const r = await partitionHeal({ seed, n: 20, records: 10, splitMs: 60_000, healMs: 60_000 });
  rows.push({ seed, ...r, duringA: r.duringA * 100, duringB: r.duringB * 100, crossDuring: r.crossDuring * 100, crossAfter: r.crossAfter * 100, afterB: r.afterB * 100 });
  console.error(JSON.stringify(r));
}
publish(
  'partition',
  '### 4. Partition and heal (N = 20 in two halves, 60 s split, 60 s heal, real crypto)',
  table(rows, [
    ['seed', 'seed'],
    ['duringA', 'old records, side A, split %', 0],
    ['duringB', 'old records, side B, split %', 0],
    ['crossDuring', 'A\'s new records from B, split %', 0],
    ['crossAfter', 'A\'s new records from B, healed %', 0],
    ['afterB', 'old records, side B, healed %', 0],
    ['speed', 'virtual s per real s', 1],
  ]),
  rows,
);
