/**
 * Process-per-node benchmark: every node its own OS process, as users run
 * them and as godave is measured. Nodes are either ours
 * (benchmarks/node-child.ts) or the real Go node (../shared/godave/
 * godave-node, or $DAVE_GO_NODE), both driven by the same stdin/stdout
 * line commands, on loopback [::1].
 *
 *  - ingest, for each pairing writer -> receiver (Go->Go, Go->ours,
 *    ours->Go, ours->ours): the writer's batch writer sends INGEST records
 *    of 100 B; rate = records the receiver holds / time from the writer's
 *    first write to the moment the receiver holds them all.
 *  - remote get, all Go and all ours: three nodes; a newcomer reads
 *    GETS records one after another (after GETS warm-up reads of other
 *    keys), each answered by the two others; p50 and p99, and the CPU
 *    per read (all threads, from /proc) of the reader and of the two holders.
 *
 * Rounds alternate pairings so that load on a shared machine hits them
 * alike. Env: DAVE_PROCS_ROUNDS (default 3), DAVE_PROCS_INGEST (20000),
 * DAVE_PROCS_ONLY ("ingest" or "get"), DAVE_PROCS_PAIRS (e.g. "go->go,ours->ours"),
 * DAVE_PROCS_KINDS (get rounds: "go", "ours" or both, the default),
 * DAVE_PROCS_PROF (a directory: our
 * children run with --cpu-prof there; DAVE_PROCS_PROF_US its sampling interval), DAVE_PROCS_DB ("level", the default:
 * our children store in LevelDB directories under a temporary directory,
 * sync on, as `dave start` runs a node; "memory": memory-level, the library
 * default without a directory; Go keeps its store in memory either way), DAVE_PROCS_NODE_ARGS (extra node
 * flags for our children, space-separated). Go rows are skipped with a note
 * when the Go node is absent. Children are always killed.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchResult, median } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/benchmarks
const GO = process.env.DAVE_GO_NODE ?? resolve(here, '../../../shared/godave/godave-node');
const ROUNDS = Number(process.env.DAVE_PROCS_ROUNDS ?? 3);
const INGEST = Number(process.env.DAVE_PROCS_INGEST ?? 20_000);
const ONLY = process.env.DAVE_PROCS_ONLY ?? '';
const PROF = process.env.DAVE_PROCS_PROF;
/** Sampling interval of those profiles, µs (node's default 1000 misses most of a 300 µs read). */
const PROF_US = Number(process.env.DAVE_PROCS_PROF_US ?? 1000);
/** Our children's database: "level" (a directory each, as `dave start`) or "memory". */
export const PROCS_DB = process.env.DAVE_PROCS_DB === 'memory' ? 'memory' : 'level';
/** Parent of our children's database directories, removed at the end of run(). */
let dataRoot: string | undefined;
/** Extra node flags for our children (experiments, e.g. "--single-threaded-gc"), space-separated. */
const NODE_ARGS = (process.env.DAVE_PROCS_NODE_ARGS ?? '').split(' ').filter((x) => x !== '');
const GETS = 300;
/** USER_HZ: the unit of utime and stime in /proc/PID/stat (100 on Linux). */
const TICKS = 100;
const VALUE_LEN = 100;

type Kind = 'go' | 'ours';

/** A node process and its line protocol. */
class Proc {
  private lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  private buf = '';
  readonly exited: Promise<void>;
  constructor(
    readonly kind: Kind,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => {
      this.buf += s;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    child.stderr.on('data', (d: Buffer) => process.stderr.write(`  [${kind}] ${d}`));
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  next(timeoutMs: number): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.kind} node: no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((line) => {
        clearTimeout(t);
        resolve(line);
      });
      void this.exited.then(() => reject(new Error(`${this.kind} node exited`)));
    });
  }

  async ask(cmd: string, timeoutMs = 180_000): Promise<string[]> {
    this.child.stdin.write(cmd + '\n');
    return (await this.next(timeoutMs)).split(' ');
  }

  /** CPU time of the process and its threads so far, in µs (Linux /proc; NaN elsewhere). */
  cpuMicros(): number {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1e6) / TICKS;
    } catch {
      return NaN;
    }
  }

  /** CPU time of each thread so far, µs, by thread ID (the main thread's ID is the process's); empty elsewhere. */
  threadMicros(): Map<number, number> {
    const out = new Map<number, number>();
    try {
      for (const t of readdirSync(`/proc/${this.child.pid}/task`)) {
        try {
          const stat = readFileSync(`/proc/${this.child.pid}/task/${t}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          out.set(Number(t), ((Number(f[11]) + Number(f[12])) * 1e6) / TICKS);
        } catch {
          // the thread ended
        }
      }
    } catch {
      // not Linux
    }
    return out;
  }

  /** CPU time of all its threads so far, in ns (Linux schedstat: finer than cpuMicros' ticks; NaN elsewhere). */
  cpuNanos(): number {
    let ns = 0;
    try {
      for (const t of readdirSync(`/proc/${this.child.pid}/task`)) {
        try {
          ns += Number(readFileSync(`/proc/${this.child.pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
        } catch {
          // the thread ended
        }
      }
      return ns;
    } catch {
      return NaN;
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async quit(): Promise<void> {
    try {
      this.child.stdin.end('quit\n');
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
    } finally {
      this.child.kill('SIGKILL');
    }
  }
}

/** A UDP port P on ::1 with P and P+1 free for UDP and TCP. */
async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const p = 20_000 + Math.floor(Math.random() * 40_000);
    const ok = await Promise.all([canBind('udp', p), canBind('tcp', p + 1), canBind('udp', p + 1), canBind('tcp', p)]);
    if (ok.every(Boolean)) return p;
  }
  throw new Error('no free port pair on ::1');
}

function canBind(kind: 'udp' | 'tcp', port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (kind === 'tcp') {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '::1', () => s.close(() => resolve(true)));
    } else {
      const s = createSocket('udp6');
      s.once('error', () => resolve(false));
      s.bind(port, '::1', () => s.close(() => resolve(true)));
    }
  });
}

async function start(kind: Kind, seed: number, edges: number[], tag: string): Promise<{ proc: Proc; port: number; writer: string }> {
  const port = await freePort();
  const args = ['-listen', `[::1]:${port}`, '-seed', String(seed), ...edges.flatMap((e) => ['-edge', `[::1]:${e}`])];
  const data = PROCS_DB === 'level' && dataRoot !== undefined ? ['-data', join(dataRoot, `${tag}-${seed}`)] : [];
  const child =
    kind === 'go'
      ? spawn(GO, ['node', ...args])
      : spawn(
          process.execPath,
          [
            ...NODE_ARGS,
            ...(PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROF}`, `--cpu-prof-name=${tag}-${seed}.cpuprofile`, `--cpu-prof-interval=${PROF_US}`] : []),
            join(here, 'node-child.js'),
            ...args,
            ...data,
          ],
        );
  const proc = new Proc(kind, child as ChildProcessWithoutNullStreams);
  const ready = (await proc.next(30_000)).split(' ');
  if (ready[0] !== 'READY') {
    await proc.quit();
    throw new Error(`${kind} node did not start: ${ready.join(' ')}`);
  }
  return { proc, port, writer: ready[3]! };
}

/** Bytes a receiver accounts for the INGEST bench records (key + value + 224 each). */
function ingestBytes(n: number): number {
  let b = 0;
  for (let i = 0; i < n; i++) b += `bench-${i}`.length + VALUE_LEN + 224;
  return b;
}

interface IngestRound {
  rate: number;
  /** Receiver CPU (all its threads) per record, µs, from the writer's start to the last record held. */
  recvCpu: number;
  /** Bytes our receiver's main thread allocated per record over the same span (NaN for Go). */
  recvAlloc: number;
  /** The receiver's CPU per record by thread: main, the two busiest others (our verify workers), the rest. */
  threads: [main: number, busiest: number, second: number, rest: number];
}

/** Per-record CPU by thread between two threadMicros() snapshots. */
function byThread(pid: number, t0: Map<number, number>, t1: Map<number, number>): [number, number, number, number] {
  const main = ((t1.get(pid) ?? 0) - (t0.get(pid) ?? 0)) / INGEST;
  const others = [...t1].filter(([tid]) => tid !== pid).map(([tid, us]) => (us - (t0.get(tid) ?? 0)) / INGEST).sort((a, b) => b - a);
  const rest = others.slice(2).reduce((a, b) => a + b, 0);
  return [main, others[0] ?? 0, others[1] ?? 0, rest];
}

async function ingestRound(w: Kind, r: Kind, round: number): Promise<IngestRound> {
  const procs: Proc[] = [];
  try {
    const recv = await start(r, 2, [], `ingest-${w}-${r}-${round}-recv`);
    procs.push(recv.proc);
    const wr = await start(w, 1, [recv.port], `ingest-${w}-${r}-${round}-writer`);
    procs.push(wr.proc);
    const ok = await wr.proc.ask('wait 1 30000');
    if (ok[1] !== 'true') throw new Error(`${w} writer: no active peer`);
    const bytes = ingestBytes(INGEST);
    if (r === 'ours') await recv.proc.ask('allocstart');
    const cpu0 = recv.proc.cpuMicros();
    const threads0 = recv.proc.threadMicros();
    const waiting = recv.proc.ask(`waitused ${bytes} 120000`);
    const put = await wr.proc.ask(`putbench ${INGEST}`);
    const got = await waiting;
    const recvAlloc = r === 'ours' ? Number((await recv.proc.ask('allocstop'))[1]) / INGEST : NaN;
    if (put[0] !== 'PUTBENCH' || Number(put[1]) !== INGEST) throw new Error(`${w} writer: ${put.join(' ')}`);
    if (Number(got[1]) < bytes) throw new Error(`${r} receiver holds ${got[1]} of ${bytes} bytes`);
    const recvCpu = (recv.proc.cpuMicros() - cpu0) / INGEST;
    const threads = byThread(recv.proc.pid, threads0, recv.proc.threadMicros());
    const seconds = (Number(got[2]) - Number(put[2])) / 1e9;
    return { rate: INGEST / seconds, recvCpu, recvAlloc, threads };
  } finally {
    await Promise.all(procs.map((p) => p.quit()));
  }
}

/** A get round: p50 and p99 (µs), the reader's allocation per read (B), and CPU per read (µs, all threads) of the reader and of the two holders together. */
type GetRound = [p50: number, p99: number, alloc: number, readerCpu: number, holdersCpu: number];

async function getRound(kind: Kind, round: number): Promise<GetRound> {
  const procs: Proc[] = [];
  try {
    const a = await start(kind, 1, [], `get-${kind}-${round}-a`);
    procs.push(a.proc);
    const b = await start(kind, 2, [a.port], `get-${kind}-${round}-b`);
    procs.push(b.proc);
    if ((await b.proc.ask('wait 1 30000'))[1] !== 'true') throw new Error('get: b has no active peer');
    const value = 'v'.repeat(VALUE_LEN);
    for (const prefix of ['warm', 'read']) {
      const put = await b.proc.ask(`put ${prefix} ${value} ${GETS}`);
      if (put[1] !== 'true') throw new Error(`get: put failed: ${put.join(' ')}`);
    }
    let bytes = 0;
    for (const prefix of ['warm', 'read']) for (let i = 0; i < GETS; i++) bytes += `${prefix}-${i}`.length + VALUE_LEN + 224;
    const held = await a.proc.ask(`waitused ${bytes} 30000`);
    if (Number(held[1]) < bytes) throw new Error(`get: a holds ${held[1]} of ${bytes} bytes`);
    const c = await start(kind, 3, [a.port], `get-${kind}-${round}-c`);
    procs.push(c.proc);
    if ((await c.proc.ask('wait 2 30000'))[1] !== 'true') throw new Error('get: the newcomer has not 2 active peers');
    await new Promise((r) => setTimeout(r, 6000)); // godave asks only peers active for 5 s
    await c.proc.ask(`getbench ${a.writer} warm ${GETS}`);
    if (kind === 'ours') await c.proc.ask('allocstart');
    const cpu0 = [c.proc.cpuNanos(), a.proc.cpuNanos() + b.proc.cpuNanos()];
    const g = await c.proc.ask(`getbench ${a.writer} read ${GETS}`);
    const cpu = [(c.proc.cpuNanos() - cpu0[0]!) / GETS / 1000, (a.proc.cpuNanos() + b.proc.cpuNanos() - cpu0[1]!) / GETS / 1000];
    const alloc = kind === 'ours' ? Number((await c.proc.ask('allocstop'))[1]) / GETS : NaN;
    if (Number(g[2]) > 0) process.stderr.write(`  ${kind} get round ${round}: ${g[2]} failed\n`);
    return [Number(g[3]), Number(g[4]), alloc, cpu[0]!, cpu[1]!];
  } finally {
    await Promise.all(procs.map((p) => p.quit()));
  }
}

export async function run(): Promise<BenchResult[]> {
  dataRoot = mkdtempSync(join(tmpdir(), 'dave-procs-'));
  try {
    return await runAll();
  } finally {
    rmSync(dataRoot, { recursive: true, force: true });
    dataRoot = undefined;
  }
}

async function runAll(): Promise<BenchResult[]> {
  process.stderr.write(`  procs: our nodes store in ${PROCS_DB === 'level' ? 'LevelDB directories, sync on (as dave start)' : 'memory-level'} (DAVE_PROCS_DB)\n`);
  const haveGo = existsSync(GO);
  if (!haveGo) process.stderr.write(`  procs: no Go node at ${GO}: Go rows skipped (set DAVE_GO_NODE)\n`);
  const only = process.env.DAVE_PROCS_KINDS?.split(',');
  const kinds: Kind[] = (haveGo ? (['go', 'ours'] as Kind[]) : (['ours'] as Kind[])).filter((k) => only === undefined || only.includes(k));
  const pairs = process.env.DAVE_PROCS_PAIRS?.split(',');
  const pairings: [Kind, Kind][] = kinds
    .flatMap((w) => kinds.map((r): [Kind, Kind] => [w, r]))
    .filter(([w, r]) => pairs === undefined || pairs.includes(`${w}->${r}`));
  const rates = new Map<string, number[]>(pairings.map(([w, r]) => [`${w}->${r}`, []]));
  const cpus = new Map<string, number[]>(pairings.map(([w, r]) => [`${w}->${r}`, []]));
  const allocs = new Map<string, number[]>(pairings.filter(([, r]) => r === 'ours').map(([w, r]) => [`${w}->${r}`, []]));
  const failures = new Map<string, number>();
  const gets = new Map<Kind, GetRound[]>(kinds.map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    if (ONLY !== 'get') {
      for (const [w, r] of pairings) {
        let got: IngestRound;
        try {
          got = await ingestRound(w, r, round);
        } catch (err) {
          // one failed round (e.g. a replica's read deadline on an overloaded machine) is reported, not fatal
          process.stderr.write(`  ingest ${w} -> ${r}, round ${round + 1}: FAILED: ${(err as Error).message}\n`);
          failures.set(`${w}->${r}`, (failures.get(`${w}->${r}`) ?? 0) + 1);
          continue;
        }
        const { rate, recvCpu, recvAlloc, threads } = got;
        const alloc = Number.isNaN(recvAlloc) ? '' : `, allocated ${Math.round(recvAlloc)} B/record (main thread)`;
        const t = threads.map((x) => x.toFixed(1));
        const split = ` [threads: main ${t[0]}, busiest others ${t[1]} + ${t[2]}, rest ${t[3]}]`;
        process.stderr.write(`  ingest ${w} -> ${r}, round ${round + 1}: ${Math.round(rate)} records/s, receiver CPU ${recvCpu.toFixed(1)} µs/record${alloc}${split}\n`);
        if (!Number.isNaN(recvAlloc)) allocs.get(`${w}->${r}`)!.push(recvAlloc);
        rates.get(`${w}->${r}`)!.push(rate);
        cpus.get(`${w}->${r}`)!.push(recvCpu);
      }
    }
    if (ONLY !== 'ingest') {
      for (const k of kinds) {
        let pq: GetRound;
        try {
          pq = await getRound(k, round);
        } catch (err) {
          process.stderr.write(`  get, all ${k}, round ${round + 1}: FAILED: ${(err as Error).message}\n`);
          failures.set(`get ${k}`, (failures.get(`get ${k}`) ?? 0) + 1);
          continue;
        }
        const alloc = Number.isNaN(pq[2]) ? '' : `, reader allocated ${Math.round(pq[2])} B/read (main thread)`;
        const cpu = `, CPU per read: reader ${pq[3].toFixed(1)} µs, holders ${pq[4].toFixed(1)} µs`;
        process.stderr.write(`  get, all ${k}, round ${round + 1}: p50 ${pq[0]} µs, p99 ${pq[1]} µs${alloc}${cpu}\n`);
        gets.get(k)!.push(pq);
      }
    }
  }
  const out: BenchResult[] = [];
  const note = (xs: number[]) => `rounds ${xs.map((x) => Math.round(x)).join(', ')}`;
  const store = `ours on ${PROCS_DB === 'level' ? 'LevelDB, sync' : 'memory-level'}`;
  const goGo = rates.get('go->go');
  const goRate = goGo && goGo.length ? median(goGo) : undefined;
  for (const [key, xs] of rates) {
    if (xs.length === 0) continue;
    out.push({
      group: 'procs',
      name: `ingest ${key.replace('->', ' -> ')} (${INGEST} × 100 B)`,
      median: median(xs),
      unit: 'records/s',
      rounds: xs.length,
      go: goRate,
      note: `vs Go -> Go; ${key.includes('ours') ? store + '; ' : ''}${note(xs)}${failures.get(key) ? `; ${failures.get(key)} round(s) failed` : ''}`,
    });
  }
  // CPU per record is steadier than a rate on a shared machine: the receiver's own cost
  const goCpu = cpus.get('go->go');
  for (const [key, xs] of cpus) {
    if (xs.length === 0 || xs.some((x) => Number.isNaN(x))) continue;
    out.push({
      group: 'procs',
      name: `receiver CPU per record, ${key.replace('->', ' -> ')}`,
      median: median(xs),
      unit: 'µs',
      rounds: xs.length,
      go: goCpu && goCpu.length ? median(goCpu) : undefined,
      note: `all threads of the receiving process; ${key.endsWith('ours') ? store + '; ' : ''}${xs.map((x) => x.toFixed(1)).join(', ')}`,
    });
  }
  for (const [key, xs] of allocs) {
    if (xs.length === 0 || xs.some((x) => Number.isNaN(x))) continue;
    out.push({
      group: 'procs',
      name: `receiver allocation per record, ${key.replace('->', ' -> ')}`,
      median: median(xs),
      unit: 'B',
      rounds: xs.length,
      note: `main thread's JS heap (v8.GCProfiler); ${store}; ${xs.map((x) => Math.round(x)).join(', ')}`,
    });
  }
  const readAllocs = (gets.get('ours') ?? []).map((pq) => pq[2]).filter((x) => !Number.isNaN(x));
  if (readAllocs.length > 0) {
    out.push({
      group: 'procs',
      name: 'remote get, reader allocation per read, all ours',
      median: median(readAllocs),
      unit: 'B',
      rounds: readAllocs.length,
      note: `main thread's JS heap (v8.GCProfiler); ${readAllocs.map((x) => Math.round(x)).join(', ')}`,
    });
  }
  const goGets = gets.get('go');
  // CPU per read, steadier than latency on a shared machine: the reader's own cost, and the two holders' together
  for (const [i, who] of [[3, 'reader'], [4, 'holders (both)']] as const) {
    for (const k of kinds) {
      const xs = gets.get(k)!.map((pq) => pq[i]);
      if (xs.length === 0 || xs.some((x) => Number.isNaN(x))) continue;
      out.push({
        group: 'procs',
        name: `remote get, ${who} CPU per read, all ${k}`,
        median: median(xs),
        unit: 'µs',
        rounds: xs.length,
        go: goGets && goGets.length ? median(goGets.map((pq) => pq[i])) : undefined,
        note: `all threads (schedstat); ${xs.map((x) => x.toFixed(1)).join(', ')}`,
      });
    }
  }
  for (const [i, label] of [[0, 'p50'], [1, 'p99']] as const) {
    for (const k of kinds) {
      const xs = gets.get(k)!.map((pq) => pq[i]);
      if (xs.length === 0) continue;
      out.push({
        group: 'procs',
        name: `remote get ${label}, 3 nodes, all ${k}`,
        median: median(xs),
        unit: 'µs',
        rounds: xs.length,
        go: goGets && goGets.length ? median(goGets.map((pq) => pq[i])) : undefined,
        note: `${GETS} sequential reads after ${GETS} warm-up; ${note(xs)}${failures.get(`get ${k}`) ? `; ${failures.get(`get ${k}`)} round(s) failed` : ''}`,
      });
    }
  }
  return out;
}
