/**
 * Experiment 8: past the table. Networks larger than a node's table
 * (maxPeers 64 by default; DAVE_SIM_MAXPEERS, one value or a list such as
 * 64,128), each node bootstrapped from a random earlier one; after 40
 * virtual s, 10 writers write one record each and 3 other nodes read each.
 * Read success, and how far writers' and readers' closest sets are apart,
 * against N. Cheap crypto.
 * Each finished row is kept in benchmarks/results/sim-past-table-<maxPeers>.json
 * (a later run replaces the rows of the N it runs, keeps the others), and
 * the table and charts are drawn again from every series kept, so two
 * series can be run by two processes and a stopped run keeps its rows.
 * Run: node --max-old-space-size=8192 dist/benchmarks/sim-past-table.js [N...]
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pastTable } from './sim/experiments.js';
import { RESULTS, chart, keep, lineSpec, publish, table, type Row } from './sim/report.js';

const series = (process.env['DAVE_SIM_MAXPEERS'] ?? '64').split(',').map(Number);
const ns = process.argv.slice(2).map(Number);
const sizes = ns.length > 0 ? ns : [32, 64, 128, 256, 512, 1000];

/** The rows kept for one maxPeers. */
function kept(maxPeers: number): Row[] {
  const path = join(RESULTS, `sim-past-table-${maxPeers}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { rows: Row[] }).rows : [];
}

/** Every series kept, by maxPeers then N. */
function allRows(): Row[] {
  const files = existsSync(RESULTS) ? readdirSync(RESULTS).filter((f) => /^sim-past-table-\d+\.json$/.test(f)) : [];
  return files
    .flatMap((f) => kept(Number(/(\d+)\.json$/.exec(f)![1])))
    .sort((a, b) => (a.maxPeers as number) - (b.maxPeers as number) || (a.n as number) - (b.n as number));
}

async function draw(): Promise<void> {
  const rows = allRows();
  const success = rows.map((r) => ({ n: r.n, success: r.success, series: `maxPeers ${r.maxPeers}` }));
  // short labels: the legend cuts long ones
  const long: Row[] = rows.flatMap((r) => [
    { n: r.n, what: `${r.maxPeers}: writer/reader`, overlap: r.writerReader },
    { n: r.n, what: `${r.maxPeers}: writer/true 5`, overlap: r.writerTrue },
  ]);
  await chart('past-table-success', lineSpec('Past the table: reads that succeed', success, ['n', 'nodes (N)'], ['success', 'success %'], ['series', 'table'], true));
  await chart('past-table-overlap', lineSpec('Past the table: closest sets in common, of 5', long, ['n', 'nodes (N)'], ['overlap', 'nodes in common (of 5)'], ['what', 'maxPeers: 5 closest'], true));
  publish(
    'past-table',
    '### 8. Past the table (maxPeers 64 and 128, random bootstrap, 10 records x 3 readers, seed 1, cheap crypto)',
    table(rows, [
      ['maxPeers', 'maxPeers'],
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
}

for (const maxPeers of series) {
  for (const n of sizes) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await pastTable(n, { seed: 1, maxPeers });
    const c = process.cpuUsage(c0);
    const row: Row = {
      maxPeers,
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
      traceHash: r.traceHash,
    };
    console.error(JSON.stringify(row));
    keep(`past-table-${maxPeers}`, [...kept(maxPeers).filter((x) => x.n !== n), row].sort((a, b) => (a.n as number) - (b.n as number)));
    await draw();
  }
}
