/**
 * Experiment 8: past the table. Networks larger than a node's table
 * (maxPeers 64 by default, DAVE_SIM_MAXPEERS), each node bootstrapped from
 * a random earlier one; after 40 virtual s, 10 writers write one record
 * each and 3 other nodes read each. Read success, and how far writers' and
 * readers' closest sets are apart, against N. Cheap crypto.
 * Run: node dist/benchmarks/sim-past-table.js [N...]
 */
import { pastTable } from './sim/experiments.js';
import { chart, lineSpec, publish, table, type Row } from './sim/report.js';

const maxPeers = Number(process.env['DAVE_SIM_MAXPEERS'] ?? 64);
const ns = process.argv.slice(2).map(Number);
const sizes = ns.length > 0 ? ns : [32, 64, 128, 256, 512, 1000];
const rows: Row[] = [];
for (const n of sizes) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await pastTable(n, { seed: 1, maxPeers });
  const c = process.cpuUsage(c0);
  rows.push({
    n,
    known: r.known,
    active: r.active,
    success: r.success * 100,
    writerReader: r.writerReader,
    writerTrue: r.writerTrue,
    readerTrue: r.readerTrue,
    holders: r.holders,
    cpuS: (c.user + c.system) / 1e6,
    wallS: (performance.now() - t0) / 1000,
  });
  console.error(JSON.stringify(rows.at(-1)));
}
const long: Row[] = rows.flatMap((r) => [
  { n: r.n, what: "writer's and reader's", overlap: r.writerReader },
  { n: r.n, what: "writer's and the true", overlap: r.writerTrue },
  { n: r.n, what: "reader's and the true", overlap: r.readerTrue },
]);
await chart('past-table-success', lineSpec(`Past the table (maxPeers ${maxPeers}): reads that succeed`, rows, ['n', 'nodes (N)'], ['success', 'success %'], undefined, true));
await chart('past-table-overlap', lineSpec(`Past the table (maxPeers ${maxPeers}): closest sets in common, of 5`, long, ['n', 'nodes (N)'], ['overlap', 'nodes in common (of 5)'], ['what', '5 closest sets'], true));
publish(
  'past-table',
  `### 8. Past the table (maxPeers ${maxPeers}, random bootstrap, 10 records x 3 readers, seed 1, cheap crypto)`,
  table(rows, [
    ['n', 'N'],
    ['known', 'peers known / node', 1],
    ['active', 'active / node', 1],
    ['success', 'reads ok %', 0],
    ['writerReader', "writer's and reader's 5 closest, in common", 2],
    ['writerTrue', "writer's and the true 5 closest", 2],
    ['readerTrue', "reader's and the true 5 closest", 2],
    ['holders', 'holders / record', 1],
    ['cpuS', 'CPU s', 0],
    ['wallS', 'wall s', 0],
  ]) + '\n\n![past the table, success](sim/past-table-success.svg) ![past the table, overlap](sim/past-table-overlap.svg)',
  rows,
);
