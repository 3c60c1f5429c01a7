/**
 * The batch path: workers/verify-pool verifyBatch, store/Store.putBatch and
 * node/intake/intake-batch, each driven directly on real records.
 */
import { expect } from 'chai';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { ready } from '../../../lib/crypto/hash.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { ENTRY_DAT_AT, decodeEntry, encodeEntry } from '../../../lib/wire/entry.js';
import { signDat as createDat, storeKey } from '../../../lib/records/record.js';
import { DaveError } from '../../../lib/errors.js';
import { EntryBatch, REC_ACCEPT, REC_DROPPED, REC_VERIFY } from '../../../lib/records/entry-batch.js';
import { Store } from '../../../lib/store/store.js';
import { VerifyPool } from '../../../lib/workers/verify-pool.js';
import { Intake } from '../../../lib/node/intake/intake.js';
import { silentLogger } from '../../../lib/node/options.js';
import { newStats } from '../../../lib/node/services/stats.js';

const owner = signingKey(new Uint8Array(32).fill(9));

async function records(n: number, prefix = 'k', time = Date.now() - 1000): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const dat = await createDat({ key: `${prefix}${i}`, value: `v${i}`, privateKey: owner, time });
    out.push(encodeEntry({ dat, replicas: [1n, 0n, 0n, 0n, 0n] }).slice());
  }
  return out;
}

/** A copy of `b` whose signature no longer matches its value (work still fine). */
function badSignature(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[c.length - 1]! ^= 1;
  return c;
}

function batchOf(entries: Uint8Array[], state = REC_VERIFY): EntryBatch {
  const b = new EntryBatch();
  for (const e of entries) expect(b.add(e)).to.equal(true);
  b.prepare();
  b.state.fill(state);
  return b;
}

describe('workers/verify-pool: verifyBatch', function () {
  this.timeout(20_000);
  before(() => ready());

  for (const workers of [0, 2]) {
    it(`sets each record's state from its signature (${workers} workers), one verdict per batch`, async () => {
      const good = await records(100);
      const bad = good.slice(0, 10).map(badSignature);
      const batch = batchOf([...good, ...bad]);
      batch.state[5] = REC_DROPPED; // not asked for: left alone
      const pool = new VerifyPool({ workers, inlinePerTurn: 0 });
      const verdict = await pool.verifyBatch(batch);
      expect(verdict).to.deep.equal({ failed: 10, errors: [] });
      expect([...batch.state.subarray(0, 100)].filter((s) => s !== REC_ACCEPT)).to.deep.equal([REC_DROPPED]);
      expect([...batch.state.subarray(100)].every((s) => s === REC_DROPPED)).to.equal(true);
      expect(pool.pending).to.equal(0);
      await pool.close();
      expect((await pool.verifyBatch(batch).catch((e) => e)).code).to.equal('ERR_CLOSED');
    });
  }

  it('checks every chunk of a batch inline when no worker can start (was: TypeError on the second chunk, batch dropped)', async () => {
    const good = await records(100);
    const bad = good.slice(0, 5).map(badSignature);
    const batch = batchOf([...good, ...bad]); // 105 records: several chunks for 2 workers
    let tries = 0;
    const cannotStart = (): never => {
      tries++;
      throw new Error('cannot start a worker');
    };
    const pool = new VerifyPool({ workers: 2, inlinePerTurn: 0, startWorker: cannotStart });
    expect(await pool.verifyBatch(batch)).to.deep.equal({ failed: 5, errors: [] });
    expect([...batch.state.subarray(0, 100)].every((s) => s === REC_ACCEPT)).to.equal(true);
    expect(pool.pending).to.equal(0);
    const again = batchOf(good);
    expect(await pool.verifyBatch(again)).to.deep.equal({ failed: 0, errors: [] });
    expect(tries, 'tried to start a worker once, then verified inline').to.equal(1);
    await pool.close();
  });

  it('refuses a batch the queue cannot take, leaving its states, and checks a batch inline when a worker dies', async () => {
    const good = await records(40);
    const full = new VerifyPool({ workers: 1, inlinePerTurn: 0, maxQueued: 30 });
    const batch = batchOf(good);
    expect((await full.verifyBatch(batch).catch((e) => e)).code).to.equal('ERR_OVERLOADED');
    expect([...batch.state].every((s) => s === REC_VERIFY)).to.equal(true);
    await full.close();
    const workers: Worker[] = [];
    const startWorker = (script: URL, options: WorkerOptions) => workers[workers.push(new Worker(script, options)) - 1]!;
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 0, startWorker });
    const pending = pool.verifyBatch(batch);
    expect(pool.pending).to.equal(40);
    await workers[0]!.terminate();
    expect(await pending).to.deep.equal({ failed: 0, errors: [] });
    expect([...batch.state].every((s) => s === REC_ACCEPT)).to.equal(true);
    await pool.close();
  });
});

describe('store/Store.putBatch', () => {
  before(() => ready());

  it('stores the accepted records in one database batch, counts refusals, and reads them back', async () => {
    const store = await Store.open();
    const es = await records(50);
    const batch = batchOf(es, REC_ACCEPT);
    batch.state[3] = REC_DROPPED;
    const before = store.stats().batches;
    const r = await store.putBatch(batch);
    expect(r).to.deep.equal({ stored: 49, replaced: 0, evicted: 0, refused: null });
    expect(store.stats().batches - before).to.equal(1);
    expect(store.count()).to.equal(49);
    const e = decodeEntry(es[7]!);
    expect(await store.get(e.dat.pubKey, e.dat.key)).to.deep.equal(e);
    expect(store.peekBytes(storeKey(e.dat.pubKey, e.dat.key))).to.deep.equal(es[7]);
    // the same records again: duplicates, refused as put() refuses them
    const again = await store.putBatch(batchOf(es.slice(0, 2), REC_ACCEPT));
    expect(again).to.deep.equal({ stored: 0, replaced: 0, evicted: 0, refused: { ERR_DUPLICATE: 2 } });
    expect(store.stats().refused.ERR_DUPLICATE).to.equal(2);
    await store.close();
    expect((await store.putBatch(batch).catch((err) => err)).code).to.equal('ERR_CLOSED');
  });
});

describe('node/intake/intake-batch', function () {
  this.timeout(20_000);
  before(() => ready());

  async function setup(workers = 0) {
    const store = await Store.open();
    const pool = new VerifyPool({ workers, inlinePerTurn: 0 });
    const counters = newStats();
    const checked: number[] = [];
    const intake = new Intake(
      { store, counters, log: silentLogger, now: () => Date.now(), closing: () => false },
      {
        verify: (d, n, k, u) => pool.verify(d, n, k, u),
        verifyBatch: (b) => {
          for (let i = 0; i < b.count; i++) if (b.state[i] === REC_VERIFY) checked.push(i);
          return pool.verifyBatch(b);
        },
      },
      5_000,
    );
    return { store, pool, counters, intake, checked };
  }

  it('stores the valid records, drops bad ones after their checks, and counts as Intake.accept counts', async () => {
    const { store, pool, counters, intake, checked } = await setup(1);
    const good = await records(20);
    const future = (await records(1, 'f', Date.now() + 60_000))[0]!;
    const badWork = good[0]!.slice();
    badWork[ENTRY_DAT_AT + 24 + 31]! ^= 1; // the work's last byte: the work hash no longer matches
    await intake.acceptBatch(batchOf([...good, badSignature(good[1]!), future, badWork]));
    expect(store.count()).to.equal(20);
    expect(counters.recordsStored).to.equal(20);
    expect(counters.verifyFailures).to.equal(3);
    expect(checked, 'only records past the cheap checks reach the signature check').to.have.length(21);
    await pool.close();
    await store.close();
  });

  it('drops records the store already holds (or holds newer) before any signature check', async () => {
    const { store, pool, counters, intake, checked } = await setup();
    const first = await records(10);
    await intake.acceptBatch(batchOf(first));
    checked.length = 0;
    const older = await records(2, 'k', Date.now() - 60_000);
    const sameNewReplicas = decodeEntry(first[2]!);
    sameNewReplicas.replicas = [5n, 0n, 0n, 0n, 0n];
    await intake.acceptBatch(batchOf([...first.slice(0, 2), ...older, encodeEntry(sameNewReplicas).slice()]));
    expect(checked, 'none of them is verified again').to.have.length(0);
    expect(counters.refused).to.deep.equal({ ERR_DUPLICATE: 2, ERR_OLDER_THAN_STORED: 2 });
    expect(counters.verifySkipped).to.equal(3);
    const e = decodeEntry(first[2]!);
    expect((await store.get(e.dat.pubKey, e.dat.key))!.replicas).to.deep.equal([5n, 0n, 0n, 0n, 0n]);
    await pool.close();
    await store.close();
  });

  /** The counters a mix of records moves, through accept() one by one and through acceptBatch. */
  async function counted(through: 'accept' | 'batch' | 'accept-verified' | 'batch-verified', failStore: false | true | 'ERR_STORAGE_UNAVAILABLE' = false) {
    const { store, pool, counters, intake } = await setup();
    const first = await records(6, 'k', Date.now() - 2000);
    for (const b of first.slice(0, 3)) await intake.accept(decodeEntry(b));
    const newer = await records(2, 'k', Date.now() - 1000);
    const sameNewReplicas = decodeEntry(first[2]!);
    sameNewReplicas.replicas = [5n, 0n, 0n, 0n, 0n];
    const future = (await records(1, 'f', Date.now() + 60_000))[0]!;
    const mix = [...first, ...newer, (await records(1, 'k', Date.now() - 60_000))[0]!, encodeEntry(sameNewReplicas).slice(), badSignature(first[5]!), future];
    const baseline = { ...counters, refused: { ...counters.refused } };
    if (failStore) {
      const fail = () => Promise.reject(new DaveError(failStore === true ? 'ERR_DATABASE' : failStore, 'disk gone'));
      store.put = fail;
      store.putBatch = fail;
    }
    if (through === 'accept') await Promise.all(mix.map((b) => intake.accept(decodeEntry(b))));
    else if (through === 'batch') await intake.acceptBatch(batchOf(mix));
    // a read's verified answers (the bad signature and the future one are then the caller's to have refused)
    else if (through === 'accept-verified') await Promise.all(mix.slice(0, -2).map((b) => intake.accept(decodeEntry(b), { verified: true })));
    else await intake.acceptBatch(batchOf(mix.slice(0, -2), REC_ACCEPT), { verified: true });
    const moved = {
      recordsStored: counters.recordsStored - baseline.recordsStored,
      verifyFailures: counters.verifyFailures - baseline.verifyFailures,
      verifySkipped: counters.verifySkipped - baseline.verifySkipped,
      storeFailures: counters.storeFailures - baseline.storeFailures,
      evicted: counters.evicted - baseline.evicted,
      refused: Object.fromEntries(Object.entries(counters.refused).map(([k, v]) => [k, (v ?? 0) - (baseline.refused[k] ?? 0)]).filter(([, v]) => v !== 0)),
    };
    await pool.close();
    await store.close().catch(() => {});
    return moved;
  }

  it('moves the counters exactly as accept() does for each record: stored, refused by code, failed checks', async () => {
    const one = await counted('accept');
    const batch = await counted('batch');
    expect(batch).to.deep.equal(one);
    expect(one.recordsStored).to.be.greaterThan(0);
    expect(one.refused).to.have.property('ERR_DUPLICATE');
    expect(one.verifyFailures).to.equal(2);
  });

  it('a store that fails counts one storeFailure per record it did not store, as accept() does', async () => {
    const one = await counted('accept', true);
    const batch = await counted('batch', true);
    expect(batch).to.deep.equal(one);
    expect(one.storeFailures).to.be.greaterThan(0);
    expect(one.recordsStored).to.equal(0);
  });

  it('verified records (a read\'s answers, acceptBatch({ verified: true })) move the counters as accept({ verified: true }) does', async () => {
    const one = await counted('accept-verified');
    const batch = await counted('batch-verified');
    expect(batch).to.deep.equal(one);
    expect(one.recordsStored).to.be.greaterThan(0);
    expect(one.refused).to.include.keys('ERR_DUPLICATE', 'ERR_OLDER_THAN_STORED');
    expect(one.verifySkipped).to.equal(0);
    for (const code of [true, 'ERR_STORAGE_UNAVAILABLE'] as const) {
      expect(await counted('batch-verified', code)).to.deep.equal(await counted('accept-verified', code));
    }
  });

  it('a store that refuses writes (ERR_STORAGE_UNAVAILABLE) counts a refusal per record on the batch path, as accept() does', async () => {
    const one = await counted('accept', 'ERR_STORAGE_UNAVAILABLE');
    const batch = await counted('batch', 'ERR_STORAGE_UNAVAILABLE');
    expect(batch).to.deep.equal(one);
    expect(one.refused).to.have.property('ERR_STORAGE_UNAVAILABLE');
    expect(one.storeFailures).to.equal(0);
  });

  it('logs one debug line per record handed to the store, the same lines as accept({ put: true }); none for records refused before it', async () => {
    async function lines(through: 'accept' | 'batch'): Promise<string[]> {
      const store = await Store.open();
      const pool = new VerifyPool({ workers: 0, inlinePerTurn: 0 });
      const out: string[] = [];
      const log = { ...silentLogger, debug: (m: string) => void out.push(m) };
      const intake = new Intake(
        { store, counters: newStats(), log, now: () => Date.now(), closing: () => false },
        { verify: (d, n, k, u) => pool.verify(d, n, k, u), verifyBatch: (b) => pool.verifyBatch(b) },
        5_000,
      );
      const good = await records(3, 'log', Date.now() - 5_000);
      await intake.accept(decodeEntry(good[0]!)); // held already: refused before the store, no line
      const mix = [...good, badSignature(good[1]!)];
      if (through === 'accept') for (const b of mix) await intake.accept(decodeEntry(b), { put: true });
      else await intake.acceptBatch(batchOf(mix));
      await pool.close();
      await store.close();
      return out.sort();
    }
    const one = await lines('accept');
    const batch = await lines('batch');
    const o8 = Buffer.from(owner.publicKey.subarray(0, 8)).toString('hex');
    expect(one).to.deep.equal([`dave: PUT stored: ${o8}/"log1"`, `dave: PUT stored: ${o8}/"log2"`]);
    expect(batch).to.deep.equal(one);
  });

  it('a pool without verifyBatch (the simulator\'s stand-in crypto) gets each record of a batch through verify()', async () => {
    const store = await Store.open();
    const counters = newStats();
    const seen: string[] = [];
    const intake = new Intake(
      { store, counters, log: silentLogger, now: () => Date.now(), closing: () => false },
      { verify: async (d) => void seen.push(new TextDecoder().decode(d.key)) },
      5_000,
    );
    const es = await records(3, 'sim');
    await intake.acceptBatch(batchOf(es));
    expect(seen.sort()).to.deep.equal(['sim0', 'sim1', 'sim2']);
    expect([store.count(), counters.recordsStored]).to.deep.equal([3, 3]);
    await store.close();
  });
});
