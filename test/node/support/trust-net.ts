/**
 * A network with freeloaders, for the trust tests and benchmark
 * (docs/trust.md): honest nodes and freeloaders on the in-memory network.
 * A freeloader is a real node over a store that keeps nothing: it answers
 * PINGs properly, discards what it is sent, and answers every GET with
 * not-found. The freeloaders' keys are ground so that their IDs are the
 * ones closest to one "targeted" owner (an attacker choosing its IDs near
 * a key, as anyone can); the other owners fall where they fall.
 */
import { Dave } from '../../../lib/node/dave.js';
import type { DaveOptions, Timings } from '../../../lib/node/options.js';
import { publicKeyFromSeed } from '../../../lib/crypto/ed25519.js';
import { createDat } from '../../../lib/workers/create-dat.js';
import type { Dat } from '../../../lib/wire/dat.js';
import type { Entry } from '../../../lib/wire/entry.js';
import type { StoreLike } from '../../../lib/store/types.js';
import { MemoryNetwork } from './memory-network.js';
import { seededBytes } from '../../support/seed.js';

/**
 * Timings short enough for a test, long enough for ~20 nodes in one
 * process on 2 shared cores (event-loop lags of half a second happen).
 */
export const NET_TIMINGS: Partial<Timings> = {
  pingMs: 500,
  activateAfterMs: 1_000,
  deactivateAfterMs: 5_000,
  dropAfterMs: 20_000,
  frameTimeoutMs: 2_000,
  connectTimeoutMs: 2_000,
  getTimeoutMs: 3_000,
};

/** A store that keeps nothing: every put is "stored" and forgotten. */
export function discardingStore(answer: (pubKey: Uint8Array, key: Uint8Array) => Entry | undefined = () => undefined): StoreLike {
  return {
    put: async () => ({ outcome: 'stored' }),
    get: async (pubKey, key) => answer(pubKey, key),
    getByStoreKey: async () => undefined,
    peek: () => undefined,
    ownerKeys: () => ({ keys: [], more: false }),
    entries: async function* () {},
    usedSpace: () => 0,
    capacity: () => 1 << 30,
    count: () => 0,
    flush: async () => {},
    close: async () => {},
  };
}

/** A liar's answer: the record asked for, with a signature that cannot verify. */
export function forgedEntry(pubKey: Uint8Array, key: Uint8Array): Entry {
  return {
    dat: {
      pubKey: Uint8Array.from(pubKey),
      key: Uint8Array.from(key),
      value: new TextEncoder().encode('forged'),
      time: Date.now() - 1_000,
      salt: new Uint8Array(16),
      work: new Uint8Array(32),
      sig: new Uint8Array(64).fill(7),
    },
    replicas: [0n, 0n, 0n, 0n, 0n],
  };
}

/** A seed whose public key's most significant ID byte (byte 7) is `top`, or is not, as asked. */
export function seedWithTop(top: number, equal: boolean): Uint8Array {
  for (;;) {
    const seed = seededBytes(32);
    if ((publicKeyFromSeed(seed)[7] === top) === equal) return seed;
  }
}

export interface TrustNet {
  honest: Dave[];
  freeloaders: Dave[];
  /** Seed of the owner whose closest IDs are the freeloaders'. */
  targetedOwner: Uint8Array;
  close(): Promise<void>;
}

/**
 * `honest` + `freeloaders` nodes on one in-memory network (a freeloader's
 * store is `badStore()`: by default one that keeps nothing), every one
 * bootstrapping from the first honest node, all active for each other.
 */
export async function trustNet(
  honestCount: number,
  freeloaderCount: number,
  options: DaveOptions,
  badStore: () => StoreLike = () => discardingStore(),
): Promise<TrustNet> {
  const net = new MemoryNetwork();
  const targetedOwner = seededBytes(32);
  const top = publicKeyFromSeed(targetedOwner)[7]!;
  const all: Dave[] = [];
  const open = async (o: DaveOptions) => {
    const n = await Dave.open({ listen: '127.0.0.1:0', sockets: net, verifyWorkers: 0, ...options, ...o, timings: { ...NET_TIMINGS, ...(options.timings ?? {}) } });
    all.push(n);
    return n;
  };
  const close = async () => void (await Promise.all(all.map((n) => n.close())));
  try {
    const first = await open({ privateKey: seedWithTop(top, false) });
    const edges = [first.address()];
    const honest = [first];
    for (let i = 1; i < honestCount; i++) honest.push(await open({ privateKey: seedWithTop(top, false), edges }));
    const freeloaders: Dave[] = [];
    for (let i = 0; i < freeloaderCount; i++) freeloaders.push(await open({ privateKey: seedWithTop(top, true), edges, store: badStore() }));
    const want = honestCount + freeloaderCount - 1;
    await Promise.all(all.map((n) => n.waitForActivePeers(want, { signal: AbortSignal.timeout(20_000) })));
    return { honest, freeloaders, targetedOwner, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `n` records of the owner `seed`, keys `${prefix}${i}`. */
export async function records(seed: Uint8Array, n: number, prefix: string): Promise<Dat[]> {
  const out: Dat[] = [];
  for (let i = 0; i < n; i++) out.push(await createDat({ key: `${prefix}${i}`, value: `v-${prefix}${i}`, privateKey: seed }));
  return out;
}

/**
 * The run: every honest node writes `warmup` records of the targeted owner
 * (trust learns from them), then `measured` records alternately of the
 * targeted owner and of an owner of its own; after `settleMs`, each
 * measured record is read by another honest node, one read at a time.
 * Returns the read success rate and each read's latency (ms).
 */
export async function writeThenRead(
  tn: TrustNet,
  opts: { warmup: number; measured: number; settleMs: number; warmupSettleMs: number },
): Promise<{ ok: number; total: number; rate: number; latencies: number[]; errors: Record<string, number> }> {
  const { honest, targetedOwner } = tn;
  await Promise.all(
    honest.map(async (node, i) => {
      const w = node.batchWriter(publicKeyFromSeed(targetedOwner));
      for (const d of await records(targetedOwner, opts.warmup, `warm-${i}-`)) await w.write(d);
      await w.close().catch(() => {});
    }),
  );
  await new Promise((r) => setTimeout(r, opts.warmupSettleMs));
  const written: { dat: Dat; writer: number }[] = [];
  await Promise.all(
    honest.map(async (node, i) => {
      const own = seededBytes(32);
      const dats = [
        ...(await records(targetedOwner, Math.ceil(opts.measured / 2), `run-${i}-`)),
        ...(await records(own, Math.floor(opts.measured / 2), `own-${i}-`)),
      ];
      for (const d of dats) {
        await node.put(d).catch(() => {});
        written.push({ dat: d, writer: i });
      }
    }),
  );
  await new Promise((r) => setTimeout(r, opts.settleMs));
  let ok = 0;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  // 8 reads at a time, each by an honest node other than the writer
  for (let start = 0; start < written.length; start += 8) {
    await Promise.all(
      written.slice(start, start + 8).map(async ({ dat, writer }, k) => {
        const j = start + k;
        const reader = honest[(writer + 1 + (j % (honest.length - 1))) % honest.length]!;
        const t0 = performance.now();
        try {
          await reader.get(dat.pubKey, dat.key, { timeoutMs: 3_000 });
          ok++;
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'other';
          errors[code] = (errors[code] ?? 0) + 1;
        }
        latencies.push(performance.now() - t0);
      }),
    );
  }
  return { ok, total: written.length, rate: ok / written.length, latencies, errors };
}
