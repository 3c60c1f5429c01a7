// The Traffic charts: uPlot (bundled with the node, from the `uplot` package), one per figure,
// over fixed-length columns: a page left open keeps `length` points per series, no more.
import uPlot from './vendor/uPlot.esm.js';

const CHARTS = [
  { id: 'chart-packets', now: 'c-packets', series: [['in', 'packetsIn', '--in'], ['out', 'packetsOut', '--out']], unit: '/s' },
  { id: 'chart-records', now: 'c-records', series: [['in', 'recordsIn', '--in'], ['out', 'recordsOut', '--out']], unit: '/s' },
  { id: 'chart-reads', now: 'c-reads', series: [['this node', 'reads', '--in'], ['served', 'getsServed', '--out']], unit: '/s' },
  { id: 'chart-latency', now: 'c-latency', series: [['mean', 'readMs', '--in']], unit: ' ms' },
];

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#333';
}

export class Charts {
  constructor(length = 300) {
    this.length = length;
    this.stepS = 1;
    this.cols = {};
    this.plots = [];
    const fg = cssVar('--muted');
    const grid = cssVar('--line');
    for (const c of CHARTS) {
      const host = document.getElementById(c.id);
      const opts = {
        width: Math.max(200, host.clientWidth),
        height: 150,
        scales: { x: { time: true, range: (_u, _min, max) => this.xRange(max) }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { stroke: fg, space: 90, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour12: false })) },
          { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 44 },
        ],
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: false },
        series: [{}, ...c.series.map(([label, , color]) => ({ label, stroke: cssVar(color), width: 1.5, spanGaps: false, points: { show: false } }))],
      };
      const plot = new uPlot(opts, [[], ...c.series.map(() => [])], host);
      this.plots.push({ c, plot, host });
    }
    this.resizer = new ResizeObserver(() => {
      for (const { plot, host } of this.plots) plot.setSize({ width: Math.max(200, host.clientWidth), height: 150 });
    });
    for (const { host } of this.plots) this.resizer.observe(host);
  }

  /** Replaces the data with `history` (columns from the hello event), trimmed to the window. */
  load(history, length, intervalMs) {
    if (length) this.length = length;
    if (intervalMs) this.stepS = intervalMs / 1000;
    this.cols = {};
    for (const [name, values] of Object.entries(history)) this.cols[name] = values.slice(-this.length);
    this.draw();
  }

  /** Adds one tick; the oldest point leaves once the window is full. */
  push(tick) {
    const names = ['t', ...CHARTS.flatMap((c) => c.series.map((s) => s[1]))];
    for (const n of names) {
      const col = (this.cols[n] ??= []);
      col.push(tick[n] ?? null);
      while (col.length > this.length) col.shift();
    }
    this.draw();
  }

  /** The window, ending at the newest point (or now, with none yet). */
  xRange(max) {
    const end = Number.isFinite(max) && max !== null ? max : Date.now() / 1000;
    return [end - this.length * this.stepS, end];
  }

  /** Points kept per series (for tests: it never passes the window). */
  points() {
    return (this.cols.t ?? []).length;
  }

  draw() {
    const x = (this.cols.t ?? []).map((t) => t / 1000);
    for (const { c, plot } of this.plots) {
      const ys = c.series.map(([, name]) => this.cols[name] ?? []);
      plot.setData([x, ...ys]);
      const last = ys.map((y) => y.at(-1));
      const text = c.series.map(([label], i) => `${label} ${last[i] === null || last[i] === undefined ? '–' : `${last[i]}${c.unit}`}`).join(', ');
      document.getElementById(c.now).textContent = x.length ? `now: ${text}` : '';
    }
  }
}
