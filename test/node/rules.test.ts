/** The node's pure pieces: replica choice (docs/protocol.md §10, §12), pending reads (§11), the verify pool. */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { chooseReplicas, leaderOf, sameReplicas } from '../../lib/node/replication/rules.js';
import { PendingReads } from '../../lib/node/reads/pending.js';
import { VerifyPool, acquireVerifyPool } from '../../lib/workers/verify-pool.js';
import { createDat } from '../../lib/records/record.js';
import { notFoundEntry } from '../../lib/wire/message.js';
import { DaveError } from '../../lib/errors.js';
import type { Dat } from '../../lib/wire/dat.js';

const timers = { set: (fn: () => void, ms: number) => setTimeout(fn, ms), clear: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };

describe('node/replicate', () => {
  it('chooses the FANOUT closest IDs by XOR, skipping 0 and duplicates, padding with 0', () => {
    expect(chooseReplicas(0b0000n, [0b0100n, 0n, 0b0001n, 0b0001n, 0b0010n])).to.deep.equal([0b0001n, 0b0010n, 0b0100n, 0n, 0n]);
    const ids = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n];
    expect(chooseReplicas(8n, ids)).to.deep.equal([8n, 1n, 2n, 3n, 4n]);
  });
  it('the leader is the largest ID of the replica set', () => {
    expect(leaderOf([3n, 9n, 1n, 0n, 0n])).to.equal(9n);
    expect(leaderOf([0n, 0n, 0n, 0n, 0n])).to.equal(0n);
    expect(sameReplicas([1n, 2n], [1n, 2n])).to.equal(true);
    expect(sameReplicas([1n, 2n], [2n, 1n])).to.equal(false);
  });
});

describe('node/get: pending reads', () => {
  it('fails with ERR_NOT_FOUND only when every asked peer said not found', async () => {
    const r = new PendingReads(10);
    const p = r.wait('x', ['a', 'b'], 5_000, undefined, timers);
    r.notFound('x', 'a');
    r.notFound('x', 'c'); // not asked: ignored
    expect(r.size).to.equal(1);
    r.notFound('x', 'b');
    const err = await p.catch((e) => e);
    expect(err.code).to.equal('ERR_NOT_FOUND');
    expect(r.size).to.equal(0);
  });
  it('a found answer settles every caller; a timeout and an abort settle one', async () => {
    const r = new PendingReads(10);
    const p1 = r.wait('x', ['a'], 5_000, undefined, timers);
    const p2 = r.wait('x', ['b'], 5_000, undefined, timers);
    const entry = notFoundEntry(new Uint8Array(32), new Uint8Array(1));
    r.found('x', entry);
    expect(await p1).to.equal(entry);
    expect(await p2).to.equal(entry);
    const t = await r.wait('y', ['a'], 10, undefined, timers).catch((e) => e);
    expect(t.code).to.equal('ERR_TIMEOUT');
    const ac = new AbortController();
    const pa = r.wait('z', ['a'], 5_000, ac.signal, timers);
    ac.abort();
    expect((await pa.catch((e) => e)).code).to.equal('ERR_ABORTED');
    expect(r.size).to.equal(0);
  });
  it('is bounded', () => {
    const r = new PendingReads(1);
    void r.wait('x', ['a'], 5_000, undefined, timers).catch(() => {});
    expect(r.hasRoom('x')).to.equal(true);
    expect(r.hasRoom('y')).to.equal(false);
    r.abortAll();
  });
  it('a verification outliving its read does not touch the next read for the same key', async () => {
    const r = new PendingReads(10);
    const a = r.wait('x', ['p'], 30, undefined, timers).catch((e) => e.code);
    const handle = r.verifying('x'); // p's answer is being verified when a expires
    expect(await a).to.equal('ERR_TIMEOUT');
    const b = r.wait('x', ['p', 'q'], 5_000, undefined, timers).catch((e) => e.code);
    r.verified(handle, 'x', false, 'p'); // a's bad answer: nothing to do with b
    r.notFound('x', 'p');
    expect(r.size).to.equal(1);
    r.notFound('x', 'q');
    expect(await b).to.equal('ERR_NOT_FOUND'); // at once, not after 5 s
    expect(r.size).to.equal(0);
  });
  it('holds a second found answer while one is verified; hands it out only when that one fails', async () => {
    const r = new PendingReads(10);
    const e1 = notFoundEntry(new Uint8Array(32), new Uint8Array(1));
    const e2 = notFoundEntry(new Uint8Array(32), new Uint8Array(2));
    const p = r.wait('x', ['a', 'b', 'c'], 5_000, undefined, timers).catch((e) => e.code);
    const h = r.offer('x', e1, 'a');
    expect(h).to.not.equal(null);
    expect(r.offer('x', e2, 'b'), 'b waits: a is being verified').to.equal(null);
    r.notFound('x', 'c');
    const next = r.verified(h, 'x', false, 'a');
    expect(next).to.deep.equal({ entry: e2, from: 'b' });
    expect(r.size, 'b is still to be verified: not yet not-found').to.equal(1);
    expect(r.verified(h, 'x', false, 'b')).to.equal(null);
    expect(await p).to.equal('ERR_NOT_FOUND');
    // a good first answer drops the held ones
    const q = r.wait('y', ['a', 'b'], 5_000, undefined, timers);
    const hy = r.offer('y', e1, 'a');
    r.offer('y', e2, 'b');
    expect(r.verified(hy, 'y', true, 'a')).to.equal(null);
    r.found('y', e1);
    expect(await q).to.equal(e1);
    expect(r.offer('z', e1, 'a'), 'no read open').to.equal(null);
  });
  it('not-founds wait for a found answer being verified; a bad one then fails the read', async () => {
    const r = new PendingReads(10);
    const p = r.wait('x', ['a', 'b'], 5_000, undefined, timers).catch((e) => e.code);
    const handle = r.verifying('x');
    r.notFound('x', 'b');
    expect(r.size).to.equal(1);
    r.verified(handle, 'x', false, 'a');
    expect(await p).to.equal('ERR_NOT_FOUND');
  });
});

describe('node/verify-pool', function () {
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
