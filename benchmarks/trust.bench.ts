/**
 * Trust (docs/trust.md): read success and read latency in a network of 21
 * nodes on the in-memory network, 7 of them freeloaders whose IDs are the
 * closest to one owner (test/node/support/trust-net.ts). Each round: every
 * honest node writes warm-up records, then 6 records (half of the targeted
 * owner, half of its own); each is read once by another honest node.
 * Trust off is godave's behaviour (XOR-closest reads, no challenges), the
 * reference here: godave v0.0.51 has no trust to compare against.
 */
import { type BenchResult, median, percentile } from './harness.js';
import { trustNet, writeThenRead } from '../test/node/support/trust-net.js';
import type { TrustOptions } from '../lib/node/trust/keeper.js';

const ROUNDS = 3;

async function config(trust: false | Partial<TrustOptions>): Promise<{ rates: number[]; latencies: number[] }> {
  const rates: number[] = [];
  const latencies: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const tn = await trustNet(14, 7, { trust });
    try {
      const r = await writeThenRead(tn, { warmup: 20, measured: 6, warmupSettleMs: 3_000, settleMs: 500 });
      rates.push(r.rate * 100);
      latencies.push(...r.latencies);
    } finally {
      await tn.close();
    }
  }
  return { rates, latencies };
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const configs: [string, false | Partial<TrustOptions>][] = [
    ['trust off', false],
    ['trust on, p 0.1 (default)', { challengeEveryMs: 300, challengeDelayMs: 200 }],
    ['trust on, p 0.5', { challengeEveryMs: 300, challengeDelayMs: 200, challengeProbability: 0.5 }],
  ];
  for (const [name, trust] of configs) {
    const { rates, latencies } = await config(trust);
    const note = `21 nodes, 7 freeloaders nearest one owner; 84 reads per round; rounds: ${rates.map((r) => r.toFixed(1)).join(', ')}`;
    out.push({ group: 'trust', name: `${name}: read success`, median: median(rates), unit: '%', rounds: ROUNDS, note });
    out.push({ group: 'trust', name: `${name}: read latency p50`, median: median(latencies), unit: 'ms', rounds: ROUNDS });
    out.push({ group: 'trust', name: `${name}: read latency p99`, median: percentile(latencies, 99), unit: 'ms', rounds: ROUNDS });
  }
  return out;
}
