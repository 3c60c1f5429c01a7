/**
 * Experiment 2: get success and latency against datagram loss (0-30%),
 * on every link, from the first PING on. 20 nodes, 20 records written over
 * TCP (not lossy in the model), each read once from a node that does not
 * hold it. Real crypto. Run: node dist/benchmarks/sim-loss.js
 */
import { readsUnderLoss } from './sim/experiments.js';
import { chart, lineSpec, publish, table } from './sim/report.js';

const rows = [];
for (const loss of [0, 0.05, 0.1, 0.2, 0.3]) {
  const seeds = [1, 2, 3];
  let success = 0;
  const med: number[] = [];
  const p90: number[] = [];
  let speed = 0;
  for (const seed of seeds) {
    const r = await readsUnderLoss(loss, { seed, n: 20, reads: 20 });
    success += r.success / seeds.length;
    med.push(r.medianMs);
    p90.push(r.p90Ms);
    speed += r.speed / seeds.length;
  }
  rows.push({ loss: loss * 100, success: success * 100, medianMs: med.sort((a, b) => a - b)[1]!, p90Ms: p90.sort((a, b) => a - b)[1]!, speed });
  console.error(JSON.stringify(rows.at(-1)));
}
await chart('loss', lineSpec('Reads under loss: success', rows, ['loss', 'datagram loss (%)'], ['success', 'reads that succeed (%)']));
await chart('loss-latency', lineSpec('Reads under loss: median latency', rows, ['loss', 'datagram loss (%)'], ['medianMs', 'median virtual ms']));
publish(
  'loss',
  '### 2. Reads under loss (N = 20, 20 reads x 3 seeds, real crypto)',
  table(rows, [
    ['loss', 'loss %'],
    ['success', 'success %', 1],
    ['medianMs', 'median ms (of the 3 seeds\' medians)', 0],
    ['p90Ms', 'p90 ms (median of seeds)', 0],
    ['speed', 'virtual s per real s', 1],
  ]) + '\n\n![loss](sim/loss.svg) ![loss latency](sim/loss-latency.svg)',
  rows,
);
