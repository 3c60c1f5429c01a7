/**
 * GET /metrics: Prometheus text from prom-client. Node figures are read
 * from node.stats() and the node's accessors when Prometheus scrapes
 * (collect callbacks), so nothing is added to the node's hot path; the
 * get latency histogram is fed by the API's own reads (LocalClient).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Dave } from '../node/dave.js';
import type { GetOutcome } from './local.js';

export interface Metrics {
  registry: Registry;
  observeGet(seconds: number, outcome: GetOutcome): void;
}

/** A counter whose value is read from the node at scrape time. */
function mirrorCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function perLabelCounter(registry: Registry, name: string, help: string, label: string, read: () => Record<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [k, v] of Object.entries(read())) if (v > 0) this.inc({ [label]: k }, v);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export function createMetrics(node: Dave, now: () => number = Date.now): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dave_' });
  const s = () => node.stats();
  perLabelCounter(registry, 'dave_packets_in_total', 'Datagrams and TCP frames received, by op.', 'op', () => s().packetsIn);
  perLabelCounter(registry, 'dave_packets_out_total', 'Datagrams and TCP frames sent, by op.', 'op', () => s().packetsOut);
  mirrorCounter(registry, 'dave_malformed_total', 'Messages that did not decode, dropped.', () => s().malformed);
  mirrorCounter(registry, 'dave_verify_failures_total', 'Records that failed verification.', () => s().verifyFailures);
  mirrorCounter(registry, 'dave_records_stored_total', 'Records written to the store (new or replaced).', () => s().recordsStored);
  mirrorCounter(registry, 'dave_records_evicted_total', 'Records evicted to make room.', () => s().evicted);
  mirrorCounter(registry, 'dave_store_failures_total', 'Records not stored because the store failed.', () => s().storeFailures);
  perLabelCounter(registry, 'dave_records_refused_total', 'Records the store refused, by reason.', 'reason', () => s().refused);
  gauge(registry, 'dave_store_records', 'Records held in the store.', () => node.recordCount());
  gauge(registry, 'dave_store_used_bytes', 'Accounted bytes stored.', () => node.usedSpace());
  gauge(registry, 'dave_store_capacity_bytes', 'Configured capacity in bytes.', () => node.capacity());
  // the store's health (docs/operations.md): alert on dave_store_healthy == 0
  const health = () => node.storeHealth();
  gauge(registry, 'dave_store_healthy', 'Whether the store accepts writes: 1 ok, 0 degraded (writes fail with ERR_STORAGE_UNAVAILABLE).', () =>
    health()?.status === 'degraded' ? 0 : 1,
  );
  gauge(registry, 'dave_store_degraded_seconds', 'Seconds the store has been degraded, 0 when ok.', () => {
    const h = health();
    return h?.status === 'degraded' ? Math.max(0, (now() - h.since) / 1000) : 0;
  });
  mirrorCounter(registry, 'dave_store_write_failures_total', 'Write batches the database refused.', () => health()?.failures ?? 0);
  mirrorCounter(registry, 'dave_store_recoveries_total', 'Times the store recovered from a degraded state.', () => health()?.recoveries ?? 0);
  gauge(registry, 'dave_peers_active', 'Active peers.', () => node.activePeerCount());
  gauge(registry, 'dave_peers_known', 'Peers in the table.', () => node.peers().length);
  gauge(registry, 'dave_verify_queue_length', 'Records waiting for signature verification.', () => node.verifyQueueLength());
  // records stored per second since the previous scrape (rate(dave_records_stored_total) says the same over any window)
  let last = { at: now(), stored: node.stats().recordsStored };
  gauge(registry, 'dave_ingest_records_per_second', 'Records stored per second since the previous scrape.', () => {
    const t = now();
    const stored = node.stats().recordsStored;
    const rate = t > last.at ? ((stored - last.stored) * 1000) / (t - last.at) : 0;
    last = { at: t, stored };
    return rate;
  });
  const latency = new Histogram({
    name: 'dave_get_duration_seconds',
    help: 'Reads through the API and shell, by outcome (found, not_found, error).',
    labelNames: ['outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, observeGet: (sec, outcome) => latency.observe({ outcome }, sec) };
}
