/**
 * Store benchmarks (docs/benchmarks.md, "Storage engine"): in-memory write
 * and read, persisted writes with sync on and off (classic-level), open
 * (recovery) time for 100k and 1M records, and memory per indexed entry.
 *
 * The memory figures come from a child process run with --expose-gc (this
 * same file with `--memory-child`), so garbage does not blur them. The
 * databases for the open benchmark are built once under os.tmpdir() and
 * removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';
import { storeKey } from '../lib/records/record.js';
import { ready } from '../lib/crypto/hash.js';
import { recordKey, recordsLevel, type AnyLevel } from '../lib/store/layout.js';
import { Store } from '../lib/store/store.js';
import { checkFormat } from '../lib/store/database.js';
import { encodeEntry, type Entry } from '../lib/wire/entry.js';
import { CACHED_ENTRY_OVERHEAD, ValueCache } from '../lib/store/cache.js';
import { median, type BenchResult } from './harness.js';
import { goBench, goRestoreRate } from './go-ref.js';

/**
 * The Go reference, measured in this run (go-ref.ts): godave's `bench`
 * store-write and store-read (a map insert and lookup, one goroutine), and
 * its restore rate of a 100k-record backup (it re-verifies every record).
 * Undefined without the Go node: those rows then have no Go column.
 */
const go: { write?: number; read?: number; open?: number } = {};
const NOW = 1_750_000_000_000;

/** A synthetic entry: owner i % 4096, key "k<i>", value of 20..120 bytes. Not signed (the store does not verify). */
function entry(i: number): Entry {
  const pubKey = new Uint8Array(32);
  const dv = new DataView(pubKey.buffer);
  dv.setUint32(0, Math.imul(i % 4096, 2654435761) >>> 0, true);
  dv.setUint32(4, i % 4096, true);
  const value = new Uint8Array(20 + (i % 101));
  value.fill(i & 0xff);
  return {
    dat: {
      time: NOW - (i % 1000),
      salt: new Uint8Array(16),
      work: new Uint8Array(32),
      sig: new Uint8Array(64),
      pubKey,
      key: new TextEncoder().encode(`k${i}`),
      value,
    },
    replicas: [1n, 2n, 3n, 4n, 5n],
  };
}

function entries(n: number, from = 0): Entry[] {
  return Array.from({ length: n }, (_, i) => entry(from + i));
}

const rate = (n: number, ms: number) => (n * 1000) / ms;

async function inMemoryWrite(): Promise<BenchResult> {
  const n = 200_000;
  const es = entries(n);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const store = await Store.open({ now: () => NOW });
    const t0 = performance.now();
    for (let i = 0; i < n; i++) void store.put(es[i]!);
    await store.flush();
    rates.push(rate(n, performance.now() - t0));
    await store.close();
  }
  return {
    group: 'store',
    name: 'in-memory write (memory-level)',
    median: median(rates),
    unit: 'ops/s',
    rounds: rates.length,
    go: go.write,
    note: `${n / 1000}k puts issued together, until committed`,
  };
}

/**
 * The store's own work per put (encode, hashes, rules, index, cache,
 * group-commit bookkeeping) with a database whose batch() returns at once:
 * what the store costs on top of whichever database is underneath.
 */
async function storeOwnWrite(): Promise<BenchResult> {
  const n = 200_000;
  const es = entries(n);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const store = await Store.open({ database: db, now: () => NOW, cacheCapacity: 1024 ** 3 });
    (db as { batch: unknown }).batch = async () => {};
    const t0 = performance.now();
    for (let i = 0; i < n; i++) void store.put(es[i]!);
    await store.flush();
    rates.push(rate(n, performance.now() - t0));
    await store.close();
    await db.close();
  }
  return {
    group: 'store',
    name: "write, the store's own work (batches discarded)",
    median: median(rates),
    unit: 'ops/s',
    rounds: rates.length,
    go: go.write,
    note: 'diagnostic: no database cost, everything else as in a real put',
  };
}

async function inMemoryRead(): Promise<BenchResult> {
  const n = 100_000;
  const es = entries(n);
  const store = await Store.open({ now: () => NOW, cacheCapacity: 1024 ** 3 });
  for (const e of es) void store.put(e);
  await store.flush();
  const rates: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const e = es[i]!;
      if ((await store.get(e.dat.pubKey, e.dat.key)) === undefined) throw new Error('lost');
    }
    rates.push(rate(n, performance.now() - t0));
  }
  await store.close();
  return {
    group: 'store',
    name: 'in-memory read (cached, awaited one by one)',
    median: median(rates),
    unit: 'ops/s',
    rounds: rates.length,
    go: go.read,
    note: 'get(pubKey, key) of 100k cached entries: store key hash, index, cache',
  };
}

async function persistedWrites(sync: boolean, root: string): Promise<BenchResult> {
  const n = 50_000;
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const dir = join(root, `w-${sync}-${r}`);
    const store = await Store.open({ database: dir, sync, now: () => NOW });
    const es = entries(n, r * n);
    const t0 = performance.now();
    // A window of 1024 puts in flight: the node's receive path, many peers at once.
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      inFlight.push(store.put(es[i]!));
      if (inFlight.length === 1024) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    rates.push(rate(n, performance.now() - t0));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    group: 'store',
    name: `persisted write, classic-level, sync ${sync ? 'on' : 'off'}`,
    median: median(rates),
    unit: 'records/s',
    rounds: rates.length,
    note: `${n / 1000}k puts, 1024 in flight, group commit`,
  };
}

async function persistedOneByOne(root: string): Promise<BenchResult> {
  const n = 500;
  const dir = join(root, 'one');
  const store = await Store.open({ database: dir, sync: true, now: () => NOW });
  const es = entries(n);
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await store.put({ ...es[i]!, dat: { ...es[i]!.dat, time: NOW + r + 1 } });
    rates.push(rate(n, performance.now() - t0));
  }
  await store.close();
  return {
    group: 'store',
    name: 'persisted write, sync on, one at a time',
    median: median(rates),
    unit: 'records/s',
    rounds: rates.length,
    note: 'each put awaited: one fsync per record',
  };
}

/** Writes n records straight into a classic-level directory (the store's layout, format marker included). */
async function buildDatabase(dir: string, n: number): Promise<void> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await checkFormat(db as unknown as AnyLevel, true); // a new database: writes the marker Store.open requires
  const records = recordsLevel(db as unknown as AnyLevel);
  for (let i = 0; i < n; i += 10_000) {
    const ops = entries(Math.min(10_000, n - i), i).map((e) => ({
      type: 'put' as const,
      key: recordKey(storeKey(e.dat.pubKey, e.dat.key)),
      value: encodeEntry(e),
    }));
    await records.batch(ops);
  }
  await db.compactRange(new Uint8Array(0), new Uint8Array(64).fill(255)); // a settled database, as after a long run
  await db.close();
}

async function openTime(n: number, rounds: number, root: string): Promise<BenchResult> {
  const dir = join(root, `open-${n}`);
  await buildDatabase(dir, n);
  const rates: number[] = [];
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const store = await Store.open({ database: dir, capacity: 4 * 1024 ** 3, now: () => NOW });
    const ms = performance.now() - t0;
    if (store.count() !== n) throw new Error(`opened ${store.count()} of ${n}`);
    await store.close();
    rates.push(rate(n, ms));
    times.push(ms);
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    group: 'store',
    name: `open (recovery), ${n >= 1e6 ? n / 1e6 + 'M' : n / 1000 + 'k'} records`,
    median: median(rates),
    unit: 'records/s',
    rounds,
    go: go.open,
    note: `median ${(median(times) / 1000).toFixed(2)} s` + (go.open ? ` (Go at its 100k rate: ~${(n / go.open).toFixed(0)} s)` : ''),
  };
}

interface MemoryFigures {
  indexBytesPerEntry: number;
  indexArraysPerEntry: number;
  cacheBytesPerEntry: number;
  encodedBytesPerEntry: number;
}

/** In the --expose-gc child: heap + external growth per entry. */
async function memoryChild(): Promise<void> {
  await ready(); // storeKey on the WASM xxhash64, as in a node
  const gc = (globalThis as { gc?: () => void }).gc!;
  const used = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.external; // external includes arrayBuffers (the typed arrays)
  };
  const n = 1_000_000;
  const db = mkdtempSync(join(tmpdir(), 'dave-mem-'));
  try {
    // The value cache: encoded entries in exact-size buffers, as the store
    // keeps them. Small ArrayBuffers do not show in `external` here, so this
    // one is resident-memory growth (native backing stores included).
    // Sources are plain byte arrays of the benchmark's mean entry length,
    // made first, so no freed garbage is reused during the measurement.
    const m = 500_000;
    const meanLength = Math.round(entries(1000).reduce((x, e) => x + encodeEntry(e).length, 0) / 1000);
    const sources = Array.from({ length: m }, (_, i) => new Uint8Array(meanLength).fill(i & 0xff));
    const cache = new ValueCache(1024 ** 4);
    used();
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < m; i++) cache.set(BigInt(i), sources[i]!.slice());
    used();
    const total = process.memoryUsage().rss - rss0;
    const encoded = meanLength * m;
    await buildDatabase(join(db, 'db'), n);
    const before = used();
    const store = await Store.open({ database: join(db, 'db'), cacheCapacity: 0, capacity: 4 * 1024 ** 3, now: () => NOW });
    const indexBytes = used() - before;
    const arrays = store.stats().indexBytes;
    await store.close();
    const out: MemoryFigures = {
      indexBytesPerEntry: indexBytes / n,
      indexArraysPerEntry: arrays / n,
      cacheBytesPerEntry: total / m - encoded / m,
      encodedBytesPerEntry: encoded / m,
    };
    if (cache.count() !== m) throw new Error('cache dropped entries');
    process.stdout.write(JSON.stringify(out));
  } finally {
    rmSync(db, { recursive: true, force: true });
  }
}

function memoryFigures(): MemoryFigures {
  const res = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--memory-child'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (res.status !== 0) throw new Error(`memory child failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as MemoryFigures;
}

export async function run(): Promise<BenchResult[]> {
  await ready(); // storeKey on the WASM xxhash64, as in a node
  const root = mkdtempSync(join(tmpdir(), 'dave-bench-'));
  try {
    const g = goBench(['store-write', 'store-read']);
    go.write = g?.['store-write'];
    go.read = g?.['store-read'];
    go.open = goRestoreRate(100_000);
    if (g) process.stderr.write(`  Go (this run): store-write ${go.write} ops/s, store-read ${go.read} ops/s, restore ${Math.round(go.open ?? NaN)} records/s\n`);
    const out: BenchResult[] = [];
    out.push(await inMemoryWrite());
    out.push(await storeOwnWrite());
    out.push(await inMemoryRead());
    out.push(await persistedWrites(true, root));
    out.push(await persistedWrites(false, root));
    out.push(await persistedOneByOne(root));
    out.push(await openTime(100_000, 5, root));
    out.push(await openTime(1_000_000, 3, root));
    const mem = memoryFigures();
    out.push({
      group: 'store',
      name: 'memory per indexed entry',
      median: mem.indexBytesPerEntry,
      unit: 'bytes',
      rounds: 1,
      note: `1M entries, heap+external after gc; typed arrays ${mem.indexArraysPerEntry.toFixed(1)} B/entry`,
    });
    out.push({
      group: 'store',
      name: 'memory per cached value, beyond its bytes',
      median: mem.cacheBytesPerEntry,
      unit: 'bytes',
      rounds: 1,
      note: `500k entries of ${mem.encodedBytesPerEntry.toFixed(0)} B encoded, RSS growth; the cache charges ${CACHED_ENTRY_OVERHEAD}`,
    });
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--memory-child') await memoryChild();
