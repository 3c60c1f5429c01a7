/**
 * Experiment 3: churn. 20 nodes, 10 records; each virtual minute a share
 * of the nodes (never the bootstrap) leaves and as many new ones join.
 * Replication runs every 10 s, not the protocol's 10 minutes, so that its
 * effect shows within a few minutes. Real crypto.
 * Run: node dist/benchmarks/sim-churn.js
 */
import { churn } from './sim/experiments.js';
import { chart, lineSpec, publish, table, type Row } from './sim/report.js';

const rows: Row[] = [];
for (const share of [0, 0.1, 0.2, 0.3, 0.5]) {
  const r = await churn(share, { seed: 1, n: 20, minutes: 5, records: 10, replicateEveryMs: 10_000 });
  for (const p of r.points) rows.push({ share: `${share * 100}%`, minute: p.minute, success: p.success * 100, copies: p.copies, replicaCopies: p.replicaCopies });
  console.error(JSON.stringify(r));
}
await chart('churn-copies', lineSpec('Churn: copies on the 5 closest live nodes', rows, ['minute', 'virtual minute'], ['replicaCopies', 'of the 5 closest, holders'], ['share', 'replaced per minute']));
await chart('churn-success', lineSpec('Churn: reads that succeed', rows, ['minute', 'virtual minute'], ['success', 'success %'], ['share', 'replaced per minute']));
publish(
  'churn',
  '### 3. Churn (N = 20, 10 records, replication every 10 s, real crypto)',
  table(rows, [
    ['share', 'replaced per minute'],
    ['minute', 'minute'],
    ['success', 'reads ok %', 0],
    ['replicaCopies', 'of the 5 closest live nodes, holders', 1],
    ['copies', 'all honest holders', 1],
  ]) + '\n\n![churn copies](sim/churn-copies.svg) ![churn success](sim/churn-success.svg)',
  rows,
);
