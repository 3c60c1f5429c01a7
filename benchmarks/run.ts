/**
 * `npm run bench`: runs every benchmarks/*.bench.ts module (or those named
 * on the command line, e.g. `npm run bench -- codec store`), prints a table
 * with the ratio to the Go reference, and writes
 * benchmarks/results/latest.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import type { BenchResult } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/benchmarks
const wanted = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const fmt = (x: number) =>
  x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 1 ? x.toFixed(2) : x.toPrecision(3);

const results: BenchResult[] = [];
for (const f of modules) {
  const mod = (await import(join(here, f))) as { run: () => Promise<BenchResult[]> };
  process.stderr.write(`running ${f} ...\n`);
  const rs = await mod.run();
  for (const r of rs) {
    results.push(r);
    const ratio = r.go ? ` (${(r.unit === 'µs' ? r.go / r.median : r.median / r.go).toFixed(2)}x Go)` : '';
    process.stderr.write(`  ${r.group} / ${r.name}: ${fmt(r.median)} ${r.unit}${ratio}\n`);
  }
}

const rows = results.map((r) => [
  r.group,
  r.name,
  fmt(r.median),
  r.unit,
  r.go ? fmt(r.go) : '',
  // for latencies lower is better, so the ratio is Go / ours
  r.go ? (r.unit === 'µs' ? r.go / r.median : r.median / r.go).toFixed(2) + 'x' : '',
  r.note ?? '',
]);
const head = ['group', 'benchmark', 'median', 'unit', 'Go', 'vs Go', 'note'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(line(head));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));

const out = join(here, '../../benchmarks/results');
mkdirSync(out, { recursive: true });
// `npm run bench -- procs` writes latest-procs.json, so a partial run keeps the full run's file
const file = wanted.length === 0 ? 'latest.json' : `latest-${wanted.join('-')}.json`;
writeFileSync(
  join(out, file),
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, results },
    null,
    2,
  ),
);
console.log(`\nJSON: benchmarks/results/${file}`);
