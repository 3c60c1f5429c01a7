/**
 * Node benchmarks, loopback:
 *  - ingest: records/s one node accepts from another node's batch writer.
 *    The writer runs in a worker thread (its own event loop, as a second
 *    process would), with its records created before the clock starts;
 *    the clock stops when the receiver has stored them all.
 *  - remote get latency, p50 and p99: three nodes; the reader holds none of
 *    the records, so every get asks the two others (docs/protocol.md §11) and waits
 *    for the first verified answer. One get at a time.
 * Both on the default store (memory-level). Go reference on this machine:
 * 15-18k records/s node to node; get p50 210 µs, p99 500 µs.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { Dave } from '../lib/node/dave.js';
import { createDat } from '../lib/workers/create-dat.js';
import type { Dat } from '../lib/wire/dat.js';
import { type BenchResult, median, percentile } from './harness.js';

const INGEST_RECORDS = 30_000;
const INGEST_ROUNDS = 5;
const GET_RECORDS = 2_000;
const FAST = { pingMs: 100, activateAfterMs: 300, deactivateAfterMs: 1_000, dropAfterMs: 5_000 };

async function makeDats(n: number, tag: string): Promise<Dat[]> {
  const seed = new Uint8Array(randomBytes(32));
  const out: Dat[] = [];
  for (let i = 0; i < n; i++) out.push(await createDat({ key: `${tag}-${i}`, value: `value-${i}-${'x'.repeat(40)}`, privateKey: seed }));
  return out;
}

/** Worker thread: a node that writes `count` records to the edge when told. */
async function senderThread(): Promise<void> {
  const { edge, count, tag } = workerData as { edge: string; count: number; tag: string };
  const node = await Dave.open({ listen: '127.0.0.1:0', edges: [edge], timings: FAST });
  const dats = await makeDats(count, tag);
  await node.waitForActivePeers(1);
  parentPort!.postMessage('ready');
  await new Promise((r) => parentPort!.once('message', r));
  const w = node.batchWriter(dats[0]!.pubKey);
  for (const d of dats) await w.write(d);
  await w.close();
  parentPort!.postMessage('sent');
  await node.close();
}

async function ingestRound(round: number): Promise<number> {
  const receiver = await Dave.open({ listen: '127.0.0.1:0', timings: FAST });
  try {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { edge: receiver.address(), count: INGEST_RECORDS, tag: `ingest${round}` },
    });
    const messages: string[] = [];
    const next = () =>
      new Promise<string>((resolve, reject) => {
        if (messages.length) return resolve(messages.shift()!);
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    await next(); // ready
    await receiver.waitForActivePeers(1);
    const t0 = performance.now();
    worker.postMessage('go');
    while (receiver.stats().recordsStored < INGEST_RECORDS) {
      await new Promise((r) => setTimeout(r, 2));
      if (performance.now() - t0 > 120_000) throw new Error(`ingest stalled at ${receiver.stats().recordsStored}`);
    }
    const rate = (INGEST_RECORDS * 1000) / (performance.now() - t0);
    await worker.terminate();
    return rate;
  } finally {
    await receiver.close();
  }
}

async function getLatencies(): Promise<number[]> {
  const a = await Dave.open({ listen: '127.0.0.1:0', timings: FAST });
  const b = await Dave.open({ listen: '127.0.0.1:0', timings: FAST, edges: [a.address()] });
  let c: Dave | null = null;
  try {
    await Promise.all([a.waitForActivePeers(1), b.waitForActivePeers(1)]);
    const dats = await makeDats(GET_RECORDS, 'get');
    const w = b.batchWriter(dats[0]!.pubKey);
    for (const d of dats) await w.write(d);
    await w.close();
    while (a.stats().recordsStored < GET_RECORDS) await new Promise((r) => setTimeout(r, 10));
    c = await Dave.open({ listen: '127.0.0.1:0', timings: FAST, edges: [a.address()] });
    await c.waitForActivePeers(2);
    const lat: number[] = [];
    for (let i = 0; i < 200; i++) await c.get(dats[i]!.pubKey, dats[i]!.key); // warm up
    for (let i = 200; i < GET_RECORDS; i++) {
      const t0 = performance.now();
      await c.get(dats[i]!.pubKey, dats[i]!.key);
      lat.push((performance.now() - t0) * 1000);
    }
    return lat;
  } finally {
    await Promise.all([a.close(), b.close(), c?.close()]);
  }
}

export async function run(): Promise<BenchResult[]> {
  const rates: number[] = [];
  for (let r = 0; r < INGEST_ROUNDS; r++) rates.push(await ingestRound(r));
  const lat = await getLatencies();
  const note = 'loopback, memory-level store';
  return [
    {
      group: 'node',
      name: `ingest from a batch writer (${INGEST_RECORDS} records)`,
      median: median(rates),
      unit: 'records/s',
      rounds: INGEST_ROUNDS,
      go: 16_500,
      note: `${note}; rounds ${rates.map((x) => Math.round(x)).join(', ')}`,
    },
    { group: 'node', name: 'remote get latency p50', median: percentile(lat, 50), unit: 'µs', rounds: lat.length, go: 210, note: '3 nodes, ' + note },
    { group: 'node', name: 'remote get latency p99', median: percentile(lat, 99), unit: 'µs', rounds: lat.length, go: 500, note: '3 nodes, ' + note },
  ];
}

if (!isMainThread && (workerData as { count?: number } | null)?.count !== undefined) await senderThread();
