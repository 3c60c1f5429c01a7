/**
 * Experiment 6: cost against N. After convergence, 20 virtual seconds of
 * an idle network: packets and bytes sent per node per virtual second, real
 * CPU per virtual second, heap per node; then the largest N that would run
 * 60 virtual seconds in 10 real minutes, extrapolated from a fit
 * cpu = a * N^k over the measured points. Real crypto.
 * Run: node --expose-gc dist/benchmarks/sim-cost.js [N...]
 */
import { cost } from './sim/experiments.js';
import { chart, lineSpec, publish, table, type Row } from './sim/report.js';

const ns = process.argv.slice(2).map(Number);
const sizes = ns.length > 0 ? ns : [5, 10, 20, 40, 80];
const rows: Row[] = [];
for (const n of sizes) {
  const r = await cost(n, { seed: 1, virtualMs: 20_000 });
  rows.push({ n, pkts: r.packetsPerNodeS, bytes: r.bytesPerNodeS, cpu: r.cpuMsPerVirtualS, heapKiB: r.heapPerNode / 1024, speed: 1000 / r.cpuMsPerVirtualS });
  console.error(JSON.stringify(rows.at(-1)));
}
// least squares on log-log: log cpu = log a + k log N
const pts = rows.map((r) => [Math.log(r.n as number), Math.log(r.cpu as number)] as const);
const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
const k = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
const a = Math.exp(my - k * mx);
// 60 virtual s within 600 real s: cpu ms per virtual s <= 10 000
const nMax = Math.floor((10_000 / a) ** (1 / k));
// the growth between the two largest points is steeper than the fit: extrapolate from it too (the cautious figure)
const [p1, p2] = rows.slice(-2) as [Row, Row];
const kTop = Math.log((p2.cpu as number) / (p1.cpu as number)) / Math.log((p2.n as number) / (p1.n as number));
const nMaxTop = Math.floor((p2.n as number) * (10_000 / (p2.cpu as number)) ** (1 / kTop));
await chart('cost-cpu', lineSpec('Cost: real CPU per virtual second', rows, ['n', 'nodes (N)'], ['cpu', 'CPU ms per virtual s'], undefined, true));
await chart('cost-packets', lineSpec('Cost: packets per node per virtual second', rows, ['n', 'nodes (N)'], ['pkts', 'packets sent per node per s']));
publish(
  'cost',
  '### 6. Cost against N (idle network after convergence, 20 virtual s, real crypto)',
  table(rows, [
    ['n', 'N'],
    ['pkts', 'packets / node / s', 1],
    ['bytes', 'bytes / node / s', 0],
    ['cpu', 'CPU ms / virtual s', 0],
    ['speed', 'virtual s per CPU s', 2],
    ['heapKiB', 'heap / node KiB', 0],
  ]) +
    `\n\nFit: CPU ms per virtual s = ${a.toExponential(2)} x N^${k.toFixed(2)}. ` +
    `Largest N that runs 60 virtual s within 10 real minutes (CPU <= 10 000 ms per virtual s), extrapolated: **${nMax}** from the fit; ` +
    `**${nMaxTop}** from the growth between the two largest points (N^${kTop.toFixed(2)}), the cautious figure.` +
    '\n\n![cost cpu](sim/cost-cpu.svg) ![cost packets](sim/cost-packets.svg)',
  rows,
);
