/**
 * Experiment 3: churn. 20 nodes, 10 records; each virtual minute a share
 * of the nodes (never the bootstrap) leaves and as many new ones join.
 * Replication runs every 10 s, not the protocol's 10 minutes, so that its
 * effect shows within a few minutes. Seeds 1 to 3 (DAVE_SIM_SEEDS, e.g. "1,2");
 * crypto real unless DAVE_SIM_CRYPTO=cheap (the same traces: only the
 * signatures' bytes differ, docs/simulation.md).
 * Run: node dist/benchmarks/sim-churn.js
 */
import { churn } from './sim/experiments.js';
import { chart, lineSpec, publish, table, type Row } from './sim/report.js';
import type { CryptoMode } from '../lib/sim/index.js';

const crypto = (process.env['DAVE_SIM_CRYPTO'] ?? 'real') as CryptoMode;
const seeds = (process.env['DAVE_SIM_SEEDS'] ?? '1,2,3').split(',').map(Number);
const shares = [0, 0.1, 0.2, 0.3, 0.5];
const rows: Row[] = [];
const perSeed: Row[] = [];
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
for (const share of shares) {
  const runs = [];
  for (const seed of seeds) {
    const r = await churn(share, { seed, n: 20, minutes: 5, records: 10, replicateEveryMs: 10_000, crypto });
    console.error(JSON.stringify(r));
    runs.push(r);
    for (const p of r.points) perSeed.push({ share: `${share * 100}%`, seed, minute: p.minute, replicaCopies: p.replicaCopies, success: p.success * 100 });
  }
  for (let m = 0; m < runs[0]!.points.length; m++) {
    const ps = runs.map((r) => r.points[m]!);
    rows.push({
      share: `${share * 100}%`,
      minute: m + 1,
      success: mean(ps.map((p) => p.success)) * 100,
      replicaCopies: mean(ps.map((p) => p.replicaCopies)),
      minCopies: Math.min(...ps.map((p) => p.replicaCopies)),
      copies: mean(ps.map((p) => p.copies)),
      puts: mean(ps.map((p) => p.putsPerNodePass)),
      maxPuts: Math.max(...ps.map((p) => p.maxPutsPerNodePass)),
      dups: mean(ps.map((p) => p.duplicatesPerNodePass)),
      listed: ps.reduce((s, p) => s + p.missing.listed, 0),
      unlisted: ps.reduce((s, p) => s + p.missing.unlisted, 0),
    });
  }
}
await chart('churn-copies', lineSpec('Churn: copies on the 5 closest live nodes (mean of seeds)', rows, ['minute', 'virtual minute'], ['replicaCopies', 'of the 5 closest, holders'], ['share', 'replaced per minute']));
await chart('churn-success', lineSpec('Churn: reads that succeed (mean of seeds)', rows, ['minute', 'virtual minute'], ['success', 'success %'], ['share', 'replaced per minute']));
await chart('churn-traffic', lineSpec('Churn: replication PUTs per node per pass (mean of seeds)', rows, ['minute', 'virtual minute'], ['puts', 'PUTs sent per node per pass'], ['share', 'replaced per minute']));
publish(
  'churn',
  `### 3. Churn (N = 20, 10 records, replication every 10 s, seeds ${seeds.join(', ')}, ${crypto} crypto)`,
  table(rows, [
    ['share', 'replaced per minute'],
    ['minute', 'minute'],
    ['success', 'reads ok %', 0],
    ['replicaCopies', 'of the 5 closest live nodes, holders (mean)', 2],
    ['minCopies', 'lowest seed', 1],
    ['copies', 'all honest holders', 1],
    ['listed', 'missing copies, listed', 0],
    ['unlisted', 'missing, unlisted', 0],
    ['puts', 'PUTs / node / pass', 2],
    ['maxPuts', 'most by one node', 1],
    ['dups', 'duplicates / node / pass', 2],
  ]) + '\n\n![churn copies](sim/churn-copies.svg) ![churn success](sim/churn-success.svg) ![churn traffic](sim/churn-traffic.svg)',
  rows,
);
