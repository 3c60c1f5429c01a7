/** workers/verify-pool.ts: the cheap checks once, then signatures inline or on worker threads. */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { VerifyPool, acquireVerifyPool } from '../../lib/workers/verify-pool.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { DaveError } from '../../lib/errors.js';
import type { Dat } from '../../lib/wire/dat.js';


describe('workers/verify-pool', function () {
  this.timeout(20_000);
  // a copy of a created Dat is not signedHere(): the pool verifies it in full
  const notMadeHere = (d: Dat): Dat => ({ ...d });
  it('verifies on workers under load with the same verdicts as inline', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const good = [];
    for (let i = 0; i < 300; i++) good.push(notMadeHere(await createDat({ key: `k${i}`, value: 'v', privateKey: seed })));
    const bad = good.slice(0, 50).map((d) => ({ ...d, value: Uint8Array.of(1) }));
    const pool = new VerifyPool({ workers: 2, inlinePerTurn: 4 });
    const now = Date.now();
    const results = await Promise.all([...good, ...bad].map((d) => pool.verify(d, now).then(() => 'ok', (e) => e.code)));
    expect(results.slice(0, 300).every((r) => r === 'ok')).to.equal(true);
    expect(results.slice(300).every((r) => r === 'ERR_BAD_SIGNATURE')).to.equal(true);
    expect(pool.pending).to.equal(0);
    await pool.close();
    await pool.close();
    expect((await pool.verify(good[0]!, now).catch((e) => e)).code).to.equal('ERR_CLOSED');
  });
  it('runs the cheap checks once, before the queue: junk is refused by them even when the queue is full', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const good = [];
    for (let i = 0; i < 3; i++) good.push(notMadeHere(await createDat({ key: `k${i}`, value: 'v', privateKey: seed })));
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 0, maxQueued: 2 });
    const now = Date.now();
    const queued = good.slice(0, 2).map((d) => pool.verify(d, now).then(() => 'ok', (e) => e.code));
    const junk = { ...good[2]!, work: new Uint8Array(32) }; // all zero bits: not the hash of salt and signature
    expect(await pool.verify(junk, now).catch((e) => e.code), 'junk: the precheck, not the full queue').to.equal('ERR_BAD_WORK');
    expect(await pool.verify(good[2]!, now).catch((e) => e.code), 'a good record: the full queue').to.equal('ERR_OVERLOADED');
    expect(await Promise.all(queued)).to.deep.equal(['ok', 'ok']);
    await pool.close();
  });
  it('a worker that dies mid-batch costs no verdict: its batch and everything after verify inline', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const good = [];
    for (let i = 0; i < 200; i++) good.push(notMadeHere(await createDat({ key: `k${i}`, value: 'v', privateKey: seed })));
    const bad = good.slice(0, 20).map((d) => ({ ...d, value: Uint8Array.of(1) }));
    const workers: Worker[] = [];
    const startWorker = (script: URL, options: WorkerOptions) => workers[workers.push(new Worker(script, options)) - 1]!;
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 0, startWorker });
    const now = Date.now();
    const all = [...good, ...bad].map((d) => pool.verify(d, now).then(() => 'ok', (e) => e.code));
    // the batches are posted on the next turn; kill the worker while they are in flight
    await new Promise((r) => setImmediate(r));
    expect(workers).to.have.length(1);
    expect(pool.pending, 'the batches are in flight').to.equal(220);
    await workers[0]!.terminate();
    const results = await Promise.all(all);
    expect(results.slice(0, 200).every((r) => r === 'ok')).to.equal(true);
    expect(results.slice(200).every((r) => r === 'ERR_BAD_SIGNATURE')).to.equal(true);
    // and afterwards, inline
    expect(await pool.verify(good[0]!, now).then(() => 'ok')).to.equal('ok');
    expect(pool.pending).to.equal(0);
    await pool.close();
  });
  it('posts only the Dat fields: a Dat carrying a non-cloneable property still verifies', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const d = notMadeHere(await createDat({ key: 'k', value: 'v', privateKey: seed }));
    const odd = { ...d, onDone: () => {} }; // a function cannot be structured-cloned
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 0 });
    const rs = await Promise.all([odd, d, { ...d, value: Uint8Array.of(1) }].map((x) => pool.verify(x, Date.now()).then(() => 'ok', (e) => e.code)));
    expect(rs).to.deep.equal(['ok', 'ok', 'ERR_BAD_SIGNATURE']);
    expect(pool.pending).to.equal(0);
    await pool.close();
  });
  it('a batch that cannot be posted, or a worker that cannot start, is verified inline', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const d = notMadeHere(await createDat({ key: 'k', value: 'v', privateKey: seed }));
    // a field that throws when read: posting fails, the inline verdict is a rejection, not a crash
    const hostile = { ...d } as Record<string, unknown>;
    Object.defineProperty(hostile, 'sig', {
      enumerable: true,
      get: () => {
        throw new Error('no');
      },
    });
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 0 });
    const rs = await Promise.all([hostile, d].map((x) => pool.verify(x as never, Date.now()).then(() => 'ok', () => 'rejected')));
    expect(rs).to.deep.equal(['rejected', 'ok']);
    expect(pool.pending).to.equal(0);
    await pool.close();
    // no worker can start: everything verifies on this thread
    let tries = 0;
    const cannotStart = (): never => {
      tries++;
      throw new Error('cannot start a worker');
    };
    const broken = new VerifyPool({ workers: 2, inlinePerTurn: 0, startWorker: cannotStart });
    const many = await Promise.all(Array.from({ length: 100 }, () => broken.verify(d, Date.now()).then(() => 'ok', (e) => String(e))));
    expect(many.every((r) => r === 'ok')).to.equal(true);
    expect(broken.pending).to.equal(0);
    expect(await broken.verify(d, Date.now()).then(() => 'ok')).to.equal('ok');
    expect(tries, 'tried to start a worker once, then gave up on workers').to.equal(1);
    await broken.close();
  });
  it('verifies an urgent Dat inline even with work queued for the workers, within its budget', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const batch = [];
    for (let i = 0; i < 100; i++) batch.push(notMadeHere(await createDat({ key: `k${i}`, value: 'v', privateKey: seed })));
    const answer = notMadeHere(await createDat({ key: 'answer', value: 'v', privateKey: seed }));
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 1 });
    const now = Date.now();
    const queued = Promise.all(batch.map((d) => pool.verify(d, now)));
    expect(pool.pending, 'all but the first wait for the worker').to.equal(99);
    const urgent = pool.verify(answer, now, undefined, true);
    expect(pool.pending, 'the urgent one does not queue').to.equal(99);
    await urgent;
    const bad = await pool.verify({ ...answer, value: Uint8Array.of(1) }, now, undefined, true).catch((e) => e.code);
    expect(bad, 'an urgent bad Dat is refused too').to.equal('ERR_BAD_SIGNATURE');
    await queued;
    expect(pool.pending).to.equal(0);
    await pool.close();
    // no urgent budget (inlinePerTurn 0): an urgent Dat queues like the rest
    const none = new VerifyPool({ workers: 1, inlinePerTurn: 0 });
    const v = none.verify(answer, now, undefined, true);
    expect(none.pending).to.equal(1);
    await v;
    await none.close();
  });
  it('rejects with ERR_OVERLOADED when its queue is full', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const d = notMadeHere(await createDat({ key: 'k', value: 'v', privateKey: seed }));
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 0, maxQueued: 10 });
    const rs = await Promise.all(Array.from({ length: 30 }, () => pool.verify(d, Date.now()).then(() => 'ok', (e) => e.code)));
    expect(rs.filter((r) => r === 'ok')).to.have.length(10);
    expect(rs.filter((r) => r === 'ERR_OVERLOADED')).to.have.length(20);
    await pool.close();
  });
  it('is shared per process and closed with its last user', async () => {
    const a = acquireVerifyPool(1);
    const b = acquireVerifyPool(1);
    const d = await createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(randomBytes(32)) });
    await a.release();
    await a.release(); // twice counts once: b still holds the pool
    expect(await b.verify(d, Date.now()).then(() => 'ok'), 'the pool outlives a user that is not the last').to.equal('ok');
    await b.release();
    expect((await b.verify(d, Date.now()).catch((e) => e)).code, 'closed with its last user').to.equal('ERR_CLOSED');
    const c = acquireVerifyPool(1);
    expect(await c.verify(d, Date.now()).then(() => 'ok'), 'a new user gets a new pool').to.equal('ok');
    await c.release();
  });
  it('reports an unexpected error in a worker as what it is, not as a bad signature', async () => {
    const d = await createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(randomBytes(32)) });
    // passes the cheap checks, then the signing hash meets a value that is not bytes
    const odd = { ...d, value: 42 as unknown as Uint8Array };
    const inline = new VerifyPool({ workers: 0 });
    const here = await inline.verify(odd, Date.now()).catch((x) => x);
    await inline.close();
    const pool = new VerifyPool({ workers: 1, inlinePerTurn: 0 });
    const there = await pool.verify(odd, Date.now()).catch((x) => x);
    await pool.close();
    expect(here).to.be.instanceOf(Error).and.not.be.instanceOf(DaveError);
    expect(there).to.be.instanceOf(Error).and.not.be.instanceOf(DaveError);
    expect([there.name, there.message], 'the worker reports the error the main thread meets').to.deep.equal([here.name, here.message]);
  });
});
