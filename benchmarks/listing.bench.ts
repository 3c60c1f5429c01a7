/**
 * The API's listing of one owner's records over a large store (issue 18):
 * 30,000 records of one owner on LevelDB (sync on), a node and its API in
 * this process, `GET /records/me?limit=N` over loopback. A page costs in
 * proportion to its limit: the figures should not grow with the store.
 * godave has no listing, so there is no Go column.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FANOUT, SALT_LEN } from '../lib/constants.js';
import { signingKey } from '../lib/crypto/ed25519.js';
import { LocalClient } from '../lib/api/local.js';
import { createMetrics } from '../lib/api/metrics.js';
import { ApiServer } from '../lib/api/server.js';
import { Dave } from '../lib/node/dave.js';
import { Store } from '../lib/store/store.js';
import { type BenchResult, median } from './harness.js';

const RECORDS = 30_000;

function get(port: number, path: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    request({ host: '127.0.0.1', port, path }, (r) => {
      r.resume();
      r.on('end', () => resolve({ status: r.statusCode ?? 0, ms: performance.now() - t0 }));
    })
      .on('error', reject)
      .end();
  });
}

export async function run(): Promise<BenchResult[]> {
  const user = signingKey(new Uint8Array(32).fill(9));
  const root = mkdtempSync(join(tmpdir(), 'dave-listing-bench-'));
  const dir = join(root, 'db');
  try {
    const store = await Store.open({ database: dir, capacity: 1 << 30 });
    const enc = new TextEncoder();
    const puts: Promise<unknown>[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const dat = { time: 1.7e12, salt: new Uint8Array(SALT_LEN), work: new Uint8Array(32), sig: new Uint8Array(64), pubKey: user.publicKey, key: enc.encode(`k/${i}`), value: enc.encode('x'.repeat(200)) };
      puts.push(store.put({ replicas: Array<bigint>(FANOUT).fill(0n), dat }));
    }
    await Promise.all(puts);
    await store.close();
    const node = await Dave.open({ listen: '127.0.0.1:0', database: dir, verifyWorkers: 0 });
    const client = new LocalClient(node, { userKey: user, ticket: () => '' });
    const api = await ApiServer.listen({ client, metrics: createMetrics(node), host: '127.0.0.1', port: 0, token: 'x'.repeat(20) });
    const port = Number(new URL(api.url).port);
    try {
      let peak = process.memoryUsage().rss;
      const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const before = process.memoryUsage().rss;
      const parallel = await Promise.all(Array.from({ length: 20 }, () => get(port, '/records/me?limit=1')));
      const served = parallel.filter((a) => a.status === 200).map((a) => a.ms);
      const one: number[] = [];
      for (let i = 0; i < 21; i++) one.push((await get(port, '/records/me?limit=1')).ms);
      const thousand: number[] = [];
      for (let i = 0; i < 7; i++) thousand.push((await get(port, '/records/me?limit=1000')).ms);
      clearInterval(sample);
      const note = `${RECORDS} records of one owner, LevelDB`;
      return [
        { group: 'api', name: 'list limit=1', median: median(one) * 1000, unit: 'µs', rounds: one.length, note },
        { group: 'api', name: 'list limit=1000', median: median(thousand) * 1000, unit: 'µs', rounds: thousand.length, note },
        { group: 'api', name: '20 parallel list limit=1, each', median: median(served) * 1000, unit: 'µs', rounds: served.length, note: `${note}; ${20 - served.length} answered 503 (4 at once)` },
        { group: 'api', name: 'RSS growth, 20 parallel listings', median: peak - before, unit: 'bytes', rounds: 1, note },
      ];
    } finally {
      await api.close();
      await node.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
