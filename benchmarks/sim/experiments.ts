/**
 * The simulation experiments (docs/simulation.md), as functions of their
 * parameters: the benchmarks/sim-*.ts scripts sweep them, and
 * test/sim/experiments.test.ts runs a small case of each. Every run uses
 * real crypto (ed25519 signatures, blake3 proof of work at MIN_WORK) and
 * the protocol's timings unless a parameter says otherwise.
 */
import type { Dat } from '../../lib/wire/dat.js';
import { type CryptoMode, type LinkModel, type SimNode, Simulation } from '../../lib/sim/index.js';
import type { Timings } from '../../lib/node/options.js';
import type { TrustOptions } from '../../lib/node/trust/keeper.js';
import { FANOUT } from '../../lib/constants.js';
import { nodeId } from '../../lib/records/record.js';

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

export interface Common {
  seed?: number;
  link?: Partial<LinkModel>;
  timings?: Partial<Timings>;
  /**
   * The nodes' trust option. Default false: the experiments measure
   * godave's protocol behaviour (they were run before trust landed, and
   * docs/simulation.md's figures are for trust off).
   */
  trust?: false | Partial<TrustOptions>;
  /** The nodes' crypto (SimulationOptions.crypto). Default 'real'. */
  crypto?: CryptoMode;
  /** Every node's peer table limits. Default the node's. */
  peerLimits?: { maxPeers?: number; maxPerHost?: number };
  /** Each node's edge: the first node (default), or one of the nodes before it at random (seeded). */
  bootstrap?: 'first' | 'random';
}

/** Opens n honest nodes, all bootstrapped from the first. */
async function network(n: number, c: Common): Promise<Simulation> {
  const sim = new Simulation({ seed: c.seed ?? 1, link: c.link, timings: c.timings, trust: c.trust ?? false, crypto: c.crypto ?? 'real', peerLimits: c.peerLimits });
  const boot = sim.rng.fork('bootstrap');
  for (let i = 0; i < n; i++) {
    if (c.bootstrap === 'random' && i > 0) await sim.addNode({ edges: [sim.nodes[boot.int(i)]!] });
    else await sim.addNode();
  }
  return sim;
}

const allActive = (sim: Simulation, need: number) => sim.live.every((x) => x.dave.activePeerCount() >= need);

/** Runs in 1 s steps until every live node has `need` active peers; the virtual ms it took, or null. */
async function converge(sim: Simulation, need: number, maxMs: number): Promise<number | null> {
  const start = sim.elapsed;
  while (sim.elapsed - start < maxMs) {
    if (allActive(sim, need)) return sim.elapsed - start;
    await sim.run(1_000);
  }
  return allActive(sim, need) ? sim.elapsed - start : null;
}

async function records(sim: Simulation, count: number, writers: SimNode[]): Promise<Dat[]> {
  const out: Dat[] = [];
  for (let i = 0; i < count; i++) {
    const owner = sim.rng.fork(`owner${i}`).bytes(32);
    const dat = await sim.record(owner, `key-${i}`, `value-${i}`);
    const w = writers[i % writers.length]!;
    await sim.drive(w.dave.put(dat), 30_000);
    out.push(dat);
  }
  return out;
}

export interface ReadOutcome {
  ok: boolean;
  local: boolean;
  ms: number;
  code?: string;
}

/** One get from `reader`, timed in virtual ms. */
async function read(sim: Simulation, reader: SimNode, dat: Dat, timeoutMs = 5_000): Promise<ReadOutcome> {
  const local = (await reader.store.get(dat.pubKey, dat.key)) !== undefined;
  const t0 = sim.clock.time;
  try {
    const got = await sim.drive(reader.dave.get(dat.pubKey, dat.key, { timeoutMs }), timeoutMs + 1_000);
    const ok = Buffer.from(got.dat.value).equals(Buffer.from(dat.value));
    return { ok, local, ms: sim.clock.time - t0 };
  } catch (err) {
    return { ok: false, local, ms: sim.clock.time - t0, code: (err as { code?: string }).code ?? 'ERR' };
  }
}

/** Reads each record from readers that do not hold it (falls back to any reader). */
async function readAll(sim: Simulation, dats: Dat[], readers: SimNode[]): Promise<ReadOutcome[]> {
  const out: ReadOutcome[] = [];
  for (const [i, dat] of dats.entries()) {
    const holders = new Set((await sim.holders(dat)).map((h) => h.ip));
    const pool = readers.filter((r) => !holders.has(r.ip));
    const from = pool.length > 0 ? pool : readers;
    out.push(await read(sim, from[(i * 7) % from.length]!, dat));
  }
  return out;
}

export function rate(rs: ReadOutcome[]): number {
  return rs.length === 0 ? NaN : rs.filter((r) => r.ok).length / rs.length;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Run {
  /** Virtual seconds per real second. */
  speed: number;
  traceHash: number;
  /** The crypto the nodes used (docs/simulation.md, "Cheap crypto"). */
  crypto: CryptoMode;
}

function runInfo(sim: Simulation): Run {
  return { speed: sim.speed(), traceHash: sim.net.traceHash, crypto: sim.crypto };
}

// ---- 1. convergence ----

export interface ConvergenceResult extends Run {
  n: number;
  /** Virtual ms until every node had every other node active; null if not within maxMs. */
  ms: number | null;
}

export async function convergence(n: number, c: Common & { maxMs?: number } = {}): Promise<ConvergenceResult> {
  const sim = await network(n, c);
  try {
    const ms = await converge(sim, n - 1, c.maxMs ?? 300_000);
    return { n, ms, ...runInfo(sim) };
  } finally {
    await sim.close();
  }
}

// ---- 2. reads under loss ----

export interface LossResult extends Run {
  loss: number;
  reads: number;
  success: number;
  /** Median virtual ms of the successful remote reads. */
  medianMs: number;
  p90Ms: number;
}

export async function readsUnderLoss(loss: number, c: Common & { n?: number; reads?: number } = {}): Promise<LossResult> {
  const n = c.n ?? 20;
  const sim = await network(n, { ...c, link: { ...c.link, loss } });
  try {
    await converge(sim, Math.min(n - 1, 6), 120_000);
    const dats = await records(sim, c.reads ?? 20, sim.nodes.slice(1, 4));
    const rs = await readAll(sim, dats, sim.nodes);
    const ok = rs.filter((r) => r.ok && !r.local).map((r) => r.ms).sort((a, b) => a - b);
    return { loss, reads: rs.length, success: rate(rs), medianMs: median(ok), p90Ms: ok[Math.floor(ok.length * 0.9)] ?? NaN, ...runInfo(sim) };
  } finally {
    await sim.close();
  }
}

// ---- 3. churn ----

export interface ChurnPoint {
  minute: number;
  success: number;
  /** Mean live honest holders per record (replicas and readers that kept a verified answer), before the minute's reads. */
  copies: number;
  /** Mean of: how many of the FANOUT live nodes XOR-closest to the owner hold the record (5 = fully restored), before the reads. */
  replicaCopies: number;
  /**
   * The trace, before the reads: of the closest live nodes that lack a
   * record, `unlisted` are on no live holder's stored replica list, and
   * `listed` on some: a holder stored a list naming it as a replica, and
   * nobody sent it the record. For those, who leads the lists that name
   * it (the largest ID, godave's only sender): `leaderLacks`, a live node
   * without the record (`leaderIsIt`: the missing node itself); `leaderGone`, a
   * node that left; `leaderHolds`, a live holder (whose own list or view
   * differs, so it did not send).
   */
  missing: { listed: number; unlisted: number; leaderLacks: number; leaderIsIt: number; leaderGone: number; leaderHolds: number };
  /** Replication PUTs sent per live node per replication pass during the minute (the minute's reads send none). */
  putsPerNodePass: number;
  /** Most PUTs one node sent in the minute, per pass. */
  maxPutsPerNodePass: number;
  /** PUTs that arrived at a node already holding the same record (duplicates), per live node per pass. */
  duplicatesPerNodePass: number;
}

export interface ChurnResult extends Run {
  share: number;
  points: ChurnPoint[];
}

const leaderOfList = (ids: readonly bigint[]) => ids.reduce((m, r) => (r > m ? r : m), 0n);

/**
 * n nodes; each minute `share` of them (not the first, the bootstrap) leave
 * and as many new ones join; reads and copy counts at the end of each minute.
 */
export async function churn(
  share: number,
  c: Common & { n?: number; minutes?: number; records?: number; replicateEveryMs?: number; crypto?: CryptoMode } = {},
): Promise<ChurnResult> {
  const n = c.n ?? 20;
  const every = c.replicateEveryMs ?? 10_000;
  const sim = await network(n, { ...c, timings: { replicateEveryMs: every, ...c.timings } });
  try {
    await converge(sim, Math.min(n - 1, 6), 120_000);
    const dats = await records(sim, c.records ?? 10, sim.nodes.slice(1, 3));
    const points: ChurnPoint[] = [];
    const pick = sim.rng.fork('churn');
    for (let m = 1; m <= (c.minutes ?? 5); m++) {
      const k = Math.round(share * n);
      for (let i = 0; i < k; i++) {
        const candidates = sim.live.filter((x) => x.index !== 0);
        await sim.removeNode(candidates[pick.int(candidates.length)]!);
      }
      for (let i = 0; i < k; i++) await sim.addNode();
      const dupes = (x: SimNode) => x.dave.stats().verifySkipped;
      const before = new Map(sim.live.map((x) => [x, { puts: x.dave.stats().packetsOut.PUT, dup: dupes(x) }]));
      await sim.run(60_000);
      const live = sim.live;
      const passes = 60_000 / every;
      let puts = 0;
      let maxPuts = 0;
      let dup = 0;
      for (const x of live) {
        const b = before.get(x) ?? { puts: 0, dup: 0 };
        const p = x.dave.stats().packetsOut.PUT - b.puts;
        puts += p;
        maxPuts = Math.max(maxPuts, p);
        dup += dupes(x) - b.dup;
      }
      const liveIds = new Set(live.map((x) => x.dave.id));
      let copies = 0;
      let replicaCopies = 0;
      const missing = { listed: 0, unlisted: 0, leaderLacks: 0, leaderIsIt: 0, leaderGone: 0, leaderHolds: 0 };
      for (const dat of dats) {
        const holders = await sim.holders(dat);
        const held = new Set(holders.map((h) => h.ip));
        copies += held.size;
        const owner = nodeId(dat.pubKey);
        const closest = [...live].sort((x, y) => cmp(x.dave.id ^ owner, y.dave.id ^ owner)).slice(0, FANOUT);
        replicaCopies += closest.filter((x) => held.has(x.ip)).length;
        const lists: bigint[][] = [];
        for (const h of holders) lists.push((await h.store.get(dat.pubKey, dat.key))!.replicas);
        for (const x of closest) {
          if (held.has(x.ip)) continue;
          const on = lists.filter((l) => l.includes(x.dave.id));
          if (on.length === 0) {
            missing.unlisted++;
            continue;
          }
          missing.listed++;
          const leaders = on.map(leaderOfList);
          const heldIds = new Set(holders.map((h) => h.dave.id));
          if (leaders.some((l) => heldIds.has(l))) missing.leaderHolds++;
          else if (leaders.some((l) => liveIds.has(l))) {
            missing.leaderLacks++;
            if (leaders.every((l) => l === x.dave.id)) missing.leaderIsIt++;
          }
          else missing.leaderGone++;
        }
      }
      const rs: ReadOutcome[] = [];
      for (const [i, dat] of dats.entries()) rs.push(await read(sim, live[(i * 7 + m) % live.length]!, dat));
      points.push({
        minute: m,
        success: rate(rs),
        copies: copies / dats.length,
        replicaCopies: replicaCopies / dats.length,
        missing,
        putsPerNodePass: puts / live.length / passes,
        maxPutsPerNodePass: maxPuts / passes,
        duplicatesPerNodePass: dup / live.length / passes,
      });
    }
    return { share, points, ...runInfo(sim) };
  } finally {
    await sim.close();
  }
}

// ---- 4. partition and heal ----

export interface PartitionResult extends Run {
  /** Reads of records written before the split, from each side, during the split. */
  duringA: number;
  duringB: number;
  /** Records written on side A during the split, read from side B: during, then after the heal. */
  crossDuring: number;
  crossAfter: number;
  /** Records written before the split, from side B, after the heal. */
  afterB: number;
}

export async function partitionHeal(c: Common & { n?: number; records?: number; splitMs?: number; healMs?: number } = {}): Promise<PartitionResult> {
  const n = c.n ?? 20;
  const sim = await network(n, c);
  try {
    await converge(sim, n - 1, 180_000);
    const count = c.records ?? 10;
    const before = await records(sim, count, sim.nodes.slice(1, 3));
    const half = Math.floor(n / 2);
    const a = sim.nodes.slice(0, half);
    const b = sim.nodes.slice(half);
    sim.partition(a, b);
    await sim.run(c.splitMs ?? 30_000);
    const duringA = rate(await readAll(sim, before, a));
    const duringB = rate(await readAll(sim, before, b));
    const inA = await recordsLabelled(sim, count, a.slice(1, 3), 'split');
    const crossDuring = rate(await readAll(sim, inA, b));
    sim.heal();
    await sim.run(c.healMs ?? 30_000);
    const crossAfter = rate(await readAll(sim, inA, b));
    const afterB = rate(await readAll(sim, before, b));
    return { duringA, duringB, crossDuring, crossAfter, afterB, ...runInfo(sim) };
  } finally {
    await sim.close();
  }
}

async function recordsLabelled(sim: Simulation, count: number, writers: SimNode[], label: string): Promise<Dat[]> {
  const out: Dat[] = [];
  for (let i = 0; i < count; i++) {
    const dat = await sim.record(sim.rng.fork(`${label}${i}`).bytes(32), `${label}-${i}`, `value-${label}-${i}`);
    await sim.drive(writers[i % writers.length]!.dave.put(dat).catch(() => {}), 30_000);
    out.push(dat);
  }
  return out;
}

// ---- 5. misbehaving nodes ----

export interface RolesResult extends Run {
  role: 'freeloader' | 'liar' | 'flooder';
  /** Share of the nodes with the role (flooder: datagrams per second per node). */
  share: number;
  success: number;
  verifyFailures: number;
  malformed: number;
  /** Records in the misbehaving nodes' own stores (a freeloader or liar keeps none). */
  badHeld: number;
}

/**
 * n nodes of which `share` have the role (added after the first, so they
 * are known to everyone); honest nodes write and honest non-holders read.
 * Trust is off unless `c.trust` says otherwise. With `warmup`, the writers
 * first write that many other records and the network runs `warmupMs`
 * (challenge rounds, with trust on) before the measured writes.
 */
export async function roles(
  role: 'freeloader' | 'liar' | 'flooder',
  share: number,
  c: Common & { n?: number; records?: number; warmup?: number; warmupMs?: number } = {},
): Promise<RolesResult> {
  const n = c.n ?? 20;
  const sim = new Simulation({ seed: c.seed ?? 1, link: c.link, timings: c.timings, trust: c.trust ?? false });
  try {
    const bad = role === 'flooder' ? 0 : Math.round(share * n);
    const order = Array.from({ length: n }, (_, i) => i >= 1 && i <= bad);
    for (const isBad of order) await sim.addNode({ role: isBad && role !== 'flooder' ? role : 'honest' });
    if (role === 'flooder' && share > 0) await sim.addFlooder(share * n);
    await converge(sim, Math.min(n - 1, 6), 120_000);
    const honest = sim.nodes.filter((x) => x.role === 'honest');
    if (c.warmup) {
      await recordsLabelled(sim, c.warmup, honest.slice(1, 4), 'warm');
      await sim.run(c.warmupMs ?? 60_000);
    }
    const dats = await records(sim, c.records ?? 20, honest.slice(1, 4));
    const rs = await readAll(sim, dats, honest);
    let verifyFailures = 0;
    let malformed = 0;
    for (const h of honest) {
      verifyFailures += h.dave.stats().verifyFailures;
      malformed += h.dave.stats().malformed;
    }
    let badHeld = 0;
    for (const x of sim.nodes) if (x.role !== 'honest') badHeld += x.store.count();
    return { role, share, success: rate(rs), verifyFailures, malformed, badHeld, ...runInfo(sim) };
  } finally {
    await sim.close();
  }
}

// ---- 6. cost ----

export interface CostResult extends Run {
  n: number;
  virtualS: number;
  /** Per node per virtual second, after convergence. */
  packetsPerNodeS: number;
  bytesPerNodeS: number;
  /** Real CPU ms (user + system) per virtual second, for the whole network. */
  cpuMsPerVirtualS: number;
  /** Heap growth per node, bytes (after gc when exposed). */
  heapPerNode: number;
}

export async function cost(n: number, c: Common & { virtualMs?: number } = {}): Promise<CostResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const sim = await network(n, c);
  try {
    await converge(sim, n - 1, 300_000);
    const out0 = sim.live.reduce((s, x) => s + sim.net.countersOf(x.ip).packetsOut, 0);
    const bytes0 = sim.live.reduce((s, x) => s + sim.net.countersOf(x.ip).bytesOut, 0);
    const cpu0 = process.cpuUsage();
    const virtualMs = c.virtualMs ?? 20_000;
    await sim.run(virtualMs);
    const cpu = process.cpuUsage(cpu0);
    const out1 = sim.live.reduce((s, x) => s + sim.net.countersOf(x.ip).packetsOut, 0);
    const bytes1 = sim.live.reduce((s, x) => s + sim.net.countersOf(x.ip).bytesOut, 0);
    gc?.();
    const heap1 = process.memoryUsage().heapUsed;
    const vs = virtualMs / 1000;
    return {
      n,
      virtualS: vs,
      packetsPerNodeS: (out1 - out0) / n / vs,
      bytesPerNodeS: (bytes1 - bytes0) / n / vs,
      cpuMsPerVirtualS: (cpu.user + cpu.system) / 1000 / vs,
      heapPerNode: (heap1 - heap0) / n,
      ...runInfo(sim),
    };
  } finally {
    await sim.close();
  }
}

// ---- 7. scale ----

export interface ScaleResult extends Run {
  n: number;
  maxPeers: number | null;
  virtualS: number;
  /** Process CPU (user + system) for opening the nodes and for the run, s. */
  openCpuS: number;
  cpuS: number;
  wallS: number;
  /** Heap and RSS growth per node after the run (after gc when exposed), KiB. */
  heapPerNodeKiB: number;
  rssPerNodeKiB: number;
  /** Datagrams sent per node per virtual second over the last 10 virtual s. */
  packetsPerNodeS: number;
  /** Mean peers in a node's table, and active ones, at the end. */
  known: number;
  active: number;
  datagrams: number;
}

/**
 * Opens n nodes at once (all bootstrapped from the first) and runs them
 * for `virtualMs` from the start, in 1 s steps. Measures CPU and wall time,
 * memory per node and traffic at the end.
 */
export async function scale(n: number, c: Common & { virtualMs?: number; progress?: (line: string) => void } = {}): Promise<ScaleResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const sim = await network(n, { ...c, crypto: c.crypto ?? 'cheap' });
  const open = process.cpuUsage(cpu0);
  try {
    const cpu1 = process.cpuUsage();
    const t0 = performance.now();
    const virtualMs = c.virtualMs ?? 60_000;
    let out0 = 0;
    for (let s = 1; s * 1000 <= virtualMs; s++) {
      if (s * 1000 === virtualMs - 10_000 + 1000) out0 = sim.net.datagrams.sent;
      await sim.run(1_000);
      if (c.progress && s % 5 === 0) {
        const cpu = process.cpuUsage(cpu1);
        c.progress(`${s} virtual s: cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, wall ${((performance.now() - t0) / 1000).toFixed(1)} s, datagrams ${sim.net.datagrams.sent}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
      }
    }
    const cpu = process.cpuUsage(cpu1);
    const wallS = (performance.now() - t0) / 1000;
    gc?.();
    const mem = process.memoryUsage();
    let known = 0;
    let active = 0;
    for (const x of sim.live) {
      known += x.dave.peers().length;
      active += x.dave.activePeerCount();
    }
    const lastS = Math.min(10, virtualMs / 1000);
    return {
      n,
      maxPeers: c.peerLimits?.maxPeers ?? null,
      virtualS: virtualMs / 1000,
      openCpuS: (open.user + open.system) / 1e6,
      cpuS: (cpu.user + cpu.system) / 1e6,
      wallS,
      heapPerNodeKiB: (mem.heapUsed - heap0) / n / 1024,
      rssPerNodeKiB: (mem.rss - rss0) / n / 1024,
      packetsPerNodeS: (sim.net.datagrams.sent - out0) / n / lastS,
      known: known / n,
      active: active / n,
      datagrams: sim.net.datagrams.sent,
      ...runInfo(sim),
    };
  } finally {
    await sim.close();
  }
}

// ---- 8. past the table ----

export interface PastTableResult extends Run {
  n: number;
  maxPeers: number;
  /** Mean peers in a node's table, and active ones, when the records were written. */
  known: number;
  active: number;
  reads: number;
  success: number;
  /** Mean size of the intersection of the writer's 5 closest (its replicas) and the reader's 5 closest (the peers it asks), of 5. */
  writerReader: number;
  /** Of the writer's replicas, how many are among the 5 closest live nodes of the whole network. */
  writerTrue: number;
  /** Of the peers a reader asks, how many are among the 5 closest of the whole network. */
  readerTrue: number;
  /** Mean nodes holding a record after the writes (before the reads). */
  holders: number;
}

/**
 * n nodes whose tables hold at most `maxPeers` peers, each bootstrapped
 * from a random earlier node; after `settleMs`, `records` writers (random
 * nodes) each write one record, and `readersPer` other random nodes read
 * each. Measures read success and how far the writer's and the readers'
 * closest sets are from each other and from the network's true closest.
 */
export async function pastTable(
  n: number,
  c: Common & { maxPeers?: number; settleMs?: number; records?: number; readersPer?: number } = {},
): Promise<PastTableResult> {
  const maxPeers = c.maxPeers ?? 64;
  const sim = await network(n, { ...c, crypto: c.crypto ?? 'cheap', bootstrap: 'random', peerLimits: { maxPeers } });
  try {
    await sim.run(c.settleMs ?? 40_000);
    let known = 0;
    let active = 0;
    for (const x of sim.live) {
      known += x.dave.peers().length;
      active += x.dave.activePeerCount();
    }
    const pick = sim.rng.fork('past-table');
    const closestOf = (x: SimNode, owner: bigint, withSelf: boolean) => {
      const ids = x.dave.peers().filter((p) => p.active && p.id !== 0n).map((p) => p.id);
      if (withSelf) ids.push(x.dave.id);
      return new Set([...new Set(ids)].sort((a, b) => cmp(a ^ owner, b ^ owner)).slice(0, FANOUT));
    };
    const overlap = (a: Set<bigint>, b: Set<bigint>) => [...a].filter((x) => b.has(x)).length;
    const rs: ReadOutcome[] = [];
    let wr = 0;
    let wt = 0;
    let rt = 0;
    let pairs = 0;
    let holders = 0;
    const count = c.records ?? 10;
    const writes: { dat: Dat; writer: SimNode; sets: Set<bigint> }[] = [];
    for (let i = 0; i < count; i++) {
      const writer = sim.live[pick.int(sim.live.length)]!;
      const dat = await sim.record(sim.rng.fork(`past${i}`).bytes(32), `past-${i}`, `value-${i}`);
      const owner = nodeId(dat.pubKey);
      const sets = closestOf(writer, owner, true);
      await sim.drive(writer.dave.put(dat).catch(() => {}), 30_000);
      writes.push({ dat, writer, sets });
    }
    await sim.run(2_000);
    const ids = sim.live.map((x) => x.dave.id);
    for (const { dat, writer, sets } of writes) {
      const owner = nodeId(dat.pubKey);
      const truth = new Set([...ids].sort((a, b) => cmp(a ^ owner, b ^ owner)).slice(0, FANOUT));
      holders += (await sim.holders(dat)).length;
      wt += overlap(sets, truth);
      for (let j = 0; j < (c.readersPer ?? 3); j++) {
        let reader: SimNode;
        do reader = sim.live[pick.int(sim.live.length)]!;
        while (reader === writer);
        const asks = closestOf(reader, owner, false);
        wr += overlap(sets, asks);
        rt += overlap(asks, truth);
        pairs++;
        rs.push(await read(sim, reader, dat));
      }
    }
    return {
      n,
      maxPeers,
      known: known / n,
      active: active / n,
      reads: rs.length,
      success: rate(rs),
      writerReader: wr / pairs,
      writerTrue: wt / writes.length,
      readerTrue: rt / pairs,
      holders: holders / writes.length,
      ...runInfo(sim),
    };
  } finally {
    await sim.close();
  }
}
