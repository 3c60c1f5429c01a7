/**
 * Output of the simulation experiments: a markdown table and a vega-lite
 * chart rendered to SVG (no canvas needed), both written under docs/sim/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';

/** docs/sim/ of the repository (scripts run from dist/benchmarks/). */
export const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/sim');

export type Row = Record<string, string | number | null>;

export function table(rows: Row[], columns: [key: string, title: string, digits?: number][]): string {
  const fmt = (v: string | number | null | undefined, d?: number) =>
    v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '-' : typeof v === 'number' && d !== undefined ? v.toFixed(d) : String(v);
  const head = `| ${columns.map((c) => c[1]).join(' | ')} |\n| ${columns.map(() => '---').join(' | ')} |`;
  return [head, ...rows.map((r) => `| ${columns.map(([k, , d]) => fmt(r[k], d)).join(' | ')} |`)].join('\n');
}

/** Renders a vega-lite spec (data inline) to docs/sim/<name>.svg. */
export async function chart(name: string, spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const svg = await new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `${name}.svg`);
  writeFileSync(path, svg);
  return path;
}

/** A line chart of y against x, one line per `series` when given. */
export function lineSpec(title: string, values: Row[], x: [string, string], y: [string, string], series?: [string, string], logX = false): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: x[0], type: 'quantitative', title: x[1], scale: logX ? { type: 'log' } : {} },
      y: { field: y[0], type: 'quantitative', title: y[1] },
      ...(series ? { color: { field: series[0], type: 'nominal', title: series[1] } } : {}),
    },
  } as vl.TopLevelSpec;
}

/** benchmarks/results/ (JSON of every run). */
export const RESULTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../benchmarks/results');

/** Writes docs/sim/<name>.md (the table and a link to the chart), the rows as benchmarks/results/sim-<name>.json, and prints the table. */
export function publish(name: string, header: string, body: string, rows: unknown[]): void {
  mkdirSync(OUT, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const md = `${header}\n\n${body}\n`;
  writeFileSync(join(OUT, `${name}.md`), md);
  writeFileSync(join(RESULTS, `sim-${name}.json`), JSON.stringify({ experiment: name, date: new Date().toISOString(), rows }, null, 2));
  console.log(md);
}

/** Writes rows as benchmarks/results/sim-<name>.json (rows a script adds to as they finish). */
export function keep(name: string, rows: unknown[]): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `sim-${name}.json`), JSON.stringify({ experiment: name, date: new Date().toISOString(), rows }, null, 2));
}

export function wallclock(): () => number {
  const t0 = performance.now();
  return () => (performance.now() - t0) / 1000;
}
