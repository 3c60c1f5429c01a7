/**
 * Benchmark harness: times a function in rounds and reports the median
 * rate. Every benchmark module exports `run(): Promise<BenchResult[]>`;
 * benchmarks/run.ts collects them, prints one table and writes JSON.
 * Benchmarks never gate tests.
 */

export interface BenchResult {
  /** Group, e.g. "codec", "store", "node". */
  group: string;
  name: string;
  /** Median over rounds. */
  median: number;
  /** Unit of `median`, e.g. "ops/s", "records/s", "µs", "bytes". */
  unit: string;
  rounds: number;
  /** The Go reference on this machine (notes/dependencies.md), same unit. */
  go?: number;
  /** Free-form detail (sizes, settings). */
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export interface OpsOptions {
  /** Rounds (default 7). */
  rounds?: number;
  /** Minimum time per round in ms (default 200). */
  minTimeMs?: number;
  go?: number;
  note?: string;
}

/**
 * Median ops/s of a synchronous `fn` (called with the iteration number).
 */
export function measureOps(group: string, name: string, fn: (i: number) => unknown, opts: OpsOptions = {}): BenchResult {
  const rounds = opts.rounds ?? 7;
  const minTime = opts.minTimeMs ?? 200;
  for (let i = 0; i < 100; i++) fn(i); // warm up
  const rates: number[] = [];
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minTime) {
      for (let k = 0; k < 64; k++) fn(i++);
      n += 64;
      t = performance.now();
    }
    rates.push((n * 1000) / (t - t0));
  }
  return { group, name, median: median(rates), unit: 'ops/s', rounds, go: opts.go, note: opts.note };
}

/**
 * Median rate of an async `batch` that performs `count` operations per call.
 */
export async function measureAsync(
  group: string,
  name: string,
  count: number,
  batch: (round: number) => Promise<unknown>,
  opts: OpsOptions & { unit?: string } = {},
): Promise<BenchResult> {
  const rounds = opts.rounds ?? 5;
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await batch(r);
    rates.push((count * 1000) / (performance.now() - t0));
  }
  return { group, name, median: median(rates), unit: opts.unit ?? 'ops/s', rounds, go: opts.go, note: opts.note };
}
