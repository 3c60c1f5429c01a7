/**
 * One of our nodes in its own process, driven over stdin/stdout with the
 * same line commands as godave's driver (../README of the Go fixture is
 * mirrored here), so that benchmarks/procs.bench.ts can pair any two
 * nodes, ours or Go's, process against process:
 *
 *   node dist/benchmarks/node-child.js -listen [::1]:P [-edge [::1]:Q ...] [-seed N] [-data DIR]
 *
 * Keys: node key = 32 bytes all `seed` (default 1); writer key (owner of
 * the records written) = 32 bytes all 200. Prints
 * `READY <node pubkey hex> writer <writer pubkey hex>`, then answers, one
 * line each: `wait N MS`, `put KEY VAL [COUNT]`, `putbench N`,
 * `waitused BYTES MS`, `getbench PUBHEX PREFIX N`, `used`, `peers`,
 * `allocstart`, `allocstop` (bytes the main thread allocated between them), `quit`.
 * Default timings and store options. `-data DIR`: the store on LevelDB
 * (classic-level) in DIR, sync group commit on, as `dave start` runs a node;
 * without it, the library's default for Dave.open without a directory
 * (memory-level).
 */
import { createInterface } from 'node:readline';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { Dave } from '../lib/node/dave.js';
import { createDat } from '../lib/workers/create-dat.js';
import { signingKey } from '../lib/crypto/ed25519.js';
import type { Dat } from '../lib/wire/dat.js';

const args = process.argv.slice(2);
const edges: string[] = [];
let listen = '[::1]:0';
let seed = 1;
let data: string | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-listen') listen = args[++i]!;
  else if (args[i] === '-edge') edges.push(args[++i]!);
  else if (args[i] === '-seed') seed = Number(args[++i]);
  else if (args[i] === '-data') data = args[++i];
}

const say = (line: string): void => void process.stdout.write(line + '\n');
/** Unix time in ns (float precision is enough for µs). */
const unixNs = () => Math.round((performance.timeOrigin + performance.now()) * 1e6);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// DAVE_VERIFY_WORKERS: the verifyWorkers option, for experiments (default: the node's default)
const workers = process.env.DAVE_VERIFY_WORKERS;
const node = await Dave.open({
  listen,
  edges,
  privateKey: new Uint8Array(32).fill(seed),
  ...(data !== undefined ? { database: data } : {}),
  ...(workers !== undefined ? { verifyWorkers: Number(workers) } : {}),
  ...(process.env.DAVE_TRUST === 'off' ? { trust: false as const } : {}),
});
const writer = signingKey(new Uint8Array(32).fill(200));
say(`READY ${hex(node.publicKey)} writer ${hex(writer.publicKey)}`);

async function writeAll(dats: Dat[]): Promise<string | null> {
  try {
    const w = node.batchWriter(writer.publicKey);
    for (const d of dats) await w.write(d);
    await w.close();
    return null;
  } catch (err) {
    return String((err as Error).message ?? err).replace(/\s+/g, '_');
  }
}

/**
 * Bytes the main thread's JavaScript heap allocated between `allocstart`
 * and `allocstop`: what each garbage collection found in use before it
 * ran, minus what the previous one left, plus the growth since the last
 * (v8.GCProfiler). Worker threads have their own heaps, not counted.
 */
let gcProfiler: GCProfiler | null = null;
/**
 * DAVE_CHILD_HEAPPROF=DIR: between allocstart and allocstop V8's sampling
 * heap profiler also runs, counting objects collected since (so it shows
 * what is allocated, not what survives), and allocstop writes
 * DIR/<pid>-<n>.heapprofile (open it in Chrome's DevTools, or sum it by
 * function). For finding where the allocation goes; off by default.
 */
const HEAPPROF = process.env.DAVE_CHILD_HEAPPROF;
let heapSession: Session | null = null;
let heapProfiles = 0;
async function heapProfStart(): Promise<void> {
  if (HEAPPROF === undefined) return;
  heapSession ??= new Session();
  heapSession.connect();
  await heapSession.post('HeapProfiler.enable');
  await heapSession.post('HeapProfiler.startSampling', {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
}
async function heapProfStop(): Promise<void> {
  if (HEAPPROF === undefined || heapSession === null) return;
  const { profile } = await heapSession.post('HeapProfiler.stopSampling');
  writeFileSync(`${HEAPPROF}/${process.pid}-${heapProfiles++}.heapprofile`, JSON.stringify(profile));
  heapSession.disconnect();
}
let heapAtStart = 0;
function allocStop(): number {
  const stats = gcProfiler?.stop()?.statistics ?? [];
  gcProfiler = null;
  let allocated = 0;
  let after = heapAtStart;
  for (const s of stats) {
    allocated += s.beforeGC.heapStatistics.usedHeapSize - after;
    after = s.afterGC.heapStatistics.usedHeapSize;
  }
  return allocated + getHeapStatistics().used_heap_size - after;
}

async function command(f: string[]): Promise<void> {
  const num = (i: number, def: number) => (f[i] !== undefined && Number.isFinite(Number(f[i])) ? Number(f[i]) : def);
  switch (f[0]) {
    case 'wait': {
      const want = num(1, 1);
      const deadline = Date.now() + num(2, 10_000);
      while (node.activePeerCount() < want && Date.now() < deadline) await sleep(5);
      return say(`WAIT ${node.activePeerCount() >= want} ${node.activePeerCount()}`);
    }
    case 'put': {
      const count = num(3, 1);
      const time = Date.now();
      const dats: Dat[] = [];
      for (let i = 0; i < count; i++) {
        dats.push(await createDat({ key: count > 1 ? `${f[1]}-${i}` : f[1]!, value: f[2] ?? '', privateKey: writer, time }));
      }
      const err = await writeAll(dats);
      return say(`PUT ${err === null} ${err ?? '-'}`);
    }
    case 'putbench': {
      const n = num(1, 0);
      const value = Uint8Array.from({ length: 100 }, (_, i) => i);
      const time = Date.now() - 1000;
      const dats: Dat[] = [];
      for (let i = 0; i < n; i++) dats.push(await createDat({ key: `bench-${i}`, value, privateKey: writer, time }));
      const start = unixNs();
      const err = await writeAll(dats);
      const end = unixNs();
      if (err !== null) process.stderr.write(`putbench: ${err}\n`);
      return say(`PUTBENCH ${err === null ? n : 0} ${start} ${end}`);
    }
    case 'waitused': {
      const want = num(1, 0);
      const deadline = Date.now() + num(2, 10_000);
      while (node.usedSpace() < want && Date.now() < deadline) await sleep(0.2);
      return say(`WAITUSED ${node.usedSpace()} ${unixNs()}`);
    }
    case 'getbench': {
      const pub = Buffer.from(f[1] ?? '', 'hex');
      const n = num(3, 0);
      const lat: number[] = [];
      let fails = 0;
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        try {
          await node.get(pub, `${f[2]}-${i}`, { timeoutMs: 2000 });
          lat.push((performance.now() - t0) * 1000);
        } catch {
          fails++;
        }
      }
      lat.sort((a, b) => a - b);
      const p = (q: number) => (lat.length === 0 ? -1 : Math.round(lat[Math.floor(q * (lat.length - 1))]!));
      return say(`GETBENCH ${lat.length} ${fails} ${p(0.5)} ${p(0.99)}`);
    }
    case 'allocstart':
      gcProfiler?.stop();
      gcProfiler = new GCProfiler();
      heapAtStart = getHeapStatistics().used_heap_size;
      gcProfiler.start();
      await heapProfStart();
      return say('ALLOCSTART');
    case 'allocstop': {
      const allocated = allocStop();
      await heapProfStop();
      return say(`ALLOC ${allocated}`);
    }
    case 'used':
      return say(`USED ${node.usedSpace()}`);
    case 'peers':
      return say(`PEERS ${node.activePeerCount()}`);
    case 'stats':
      return say(`STATS ${JSON.stringify(node.stats())}`);
    case 'quit':
      await node.close();
      say('BYE');
      process.exit(0);
    // falls through (exit does not return)
    default:
      say('ERR unknown command');
  }
}

// one command at a time, in order
let chain = Promise.resolve();
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const f = line.trim().split(/\s+/);
  if (f[0] === '') return;
  chain = chain.then(() => command(f)).catch((err) => say(`ERR ${String(err).replace(/\s+/g, '_')}`));
});
rl.on('close', () => {
  void chain.then(() => node.close()).then(() => process.exit(0));
});
