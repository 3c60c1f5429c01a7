/** node/intake, node/remote-get, node/replica-link and node/timers, driven directly with fakes. */
import { expect } from 'chai';
import { DaveError } from '../../../lib/errors.js';
import { OP } from '../../../lib/constants.js';
import { addrPort, addressKey } from '../../../lib/wire/address.js';
import type { Dat } from '../../../lib/wire/dat.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { notFoundEntry } from '../../../lib/wire/message.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { nodeId, storeKey } from '../../../lib/records/record.js';
import type { IndexedEntry, PutResult, StoreLike } from '../../../lib/store/types.js';
import { Intake } from '../../../lib/node/intake/intake.js';
import { RemoteReads } from '../../../lib/node/reads/remote.js';
import { ReplicaLink } from '../../../lib/node/writes/replica-link.js';
import type { FrameSink } from '../../../lib/node/writes/frame-sink.js';
import { Timers } from '../../../lib/node/services/timers.js';
import { silentLogger, type Clock } from '../../../lib/node/options.js';
import { newStats } from '../../../lib/node/services/stats.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { testContext } from '../support/context.js';

/** A store holding at most one entry, with scripted put outcomes. */
function fakeStore(stored?: Entry, put: (e: Entry) => Promise<PutResult> = async () => ({ outcome: 'stored' })) {
  const puts: Entry[] = [];
  const store = {
    peek: (sk: bigint): IndexedEntry | undefined =>
      stored && storeKey(stored.dat.pubKey, stored.dat.key) === sk ? { storeKey: sk, distance: 0n, time: stored.dat.time, size: 0 } : undefined,
    getByStoreKey: async () => stored,
    put: async (e: Entry) => {
      puts.push(e);
      return put(e);
    },
  };
  return { store: store as unknown as StoreLike, puts };
}

function intake(store: StoreLike, verify: (d: Dat) => Promise<void> = async () => {}) {
  const counters = newStats();
  const verified: Dat[] = [];
  const it = new Intake({
    store,
    pool: { verify: (d) => (verified.push(d), verify(d)) },
    counters,
    log: silentLogger,
    skew: 5_000,
    now: () => Date.now(),
    closing: () => false,
  });
  return { it, counters, verified };
}

describe('node/intake', () => {
  it('verifies a new record, then stores it and counts it', async () => {
    const { store, puts } = fakeStore(undefined, async () => ({ outcome: 'stored' as const, evicted: [1n] }));
    const { it, counters, verified } = intake(store);
    await it.ingest(vectorEntry());
    expect(verified).to.have.length(1);
    expect(puts).to.have.length(1);
    expect(counters.recordsStored).to.equal(1);
    expect(counters.evicted).to.equal(1);
  });

  it('refuses a record older than the stored one without verifying it', async () => {
    const e = vectorEntry();
    const { store, puts } = fakeStore({ dat: { ...e.dat, time: e.dat.time + 1 }, replicas: e.replicas });
    const { it, counters, verified } = intake(store);
    await it.ingest(e);
    expect(verified).to.have.length(0);
    expect(puts).to.have.length(0);
    expect(counters.refused).to.deep.equal({ ERR_OLDER_THAN_STORED: 1 });
  });

  it('does not verify a record identical to the stored one: same replicas is a duplicate, new replicas are stored', async () => {
    const e = vectorEntry();
    const { store, puts } = fakeStore(e);
    const { it, counters, verified } = intake(store);
    await it.ingest(e);
    expect(counters.refused).to.deep.equal({ ERR_DUPLICATE: 1 });
    await it.ingest({ dat: e.dat, replicas: [9n, 0n, 0n, 0n, 0n] });
    expect(verified).to.have.length(0);
    expect(counters.verifySkipped).to.equal(2);
    expect(puts).to.have.length(1);
  });

  it('drops junk on the cheap checks before the verify queue, and counts a full queue apart from a failure', async () => {
    const { store, puts } = fakeStore();
    let fail: DaveError = new DaveError('ERR_OVERLOADED', 'verify queue full');
    const { it, counters, verified } = intake(store, async () => {
      throw fail;
    });
    const e = vectorEntry();
    await it.ingest({ ...e, dat: { ...e.dat, work: new Uint8Array(32) } });
    expect(verified, 'precheck failed first').to.have.length(0);
    expect(counters.verifyFailures).to.equal(1);
    await it.ingest(e);
    expect(counters.droppedQueueFull).to.equal(1);
    fail = new DaveError('ERR_BAD_SIGNATURE', 'signature invalid');
    await it.ingest(e);
    expect(counters.verifyFailures).to.equal(2);
    expect(puts).to.have.length(0);
  });

  it('counts a store refusal by code and never rejects', async () => {
    const { store } = fakeStore(undefined, async () => {
      throw new DaveError('ERR_STORAGE_FULL', 'full');
    });
    const { it, counters } = intake(store);
    expect(await it.store(vectorEntry())).to.equal(false);
    expect(counters.refused).to.deep.equal({ ERR_STORAGE_FULL: 1 });
  });
});

/** A clock whose timers run only when the test advances it. */
function fakeClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => (timers.set(next, { at: now + ms, fn }), next++),
    clearTimeout: (h) => void timers.delete(h as number),
    pending: () => timers.size,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

describe('node/timers', () => {
  it('runs periodic tasks on the injected clock, survives a throwing task, and clearAll stops everything', () => {
    const clock = fakeClock();
    const t = new Timers(clock, silentLogger);
    const runs: number[] = [];
    t.every(100, () => {
      runs.push(clock.now());
      if (runs.length === 2) throw new Error('task failed');
    });
    let fired = 0;
    const h = t.timeout(() => fired++, 150);
    t.timeout(() => fired++, 50);
    t.clear(h);
    clock.advance(350);
    expect(runs).to.deep.equal([100, 200, 300]);
    expect(fired).to.equal(1);
    t.clearAll();
    expect(clock.pending()).to.equal(0);
    clock.advance(1_000);
    expect(runs).to.have.length(3);
  });
});

describe('node/remote-get', () => {
  const owner = signingKey(new Uint8Array(32).fill(4)).publicKey;
  const A = addrPort('10.0.0.1', 1);

  function setup(verify: (dat: Dat, urgent?: boolean) => Promise<void>) {
    const ctx = testContext();
    const p = ctx.table.add(A, false, 0)!;
    ctx.table.proved(p, owner, nodeId(owner) ^ 1n, 10_000, ctx.timings);
    const stored: Entry[] = [];
    const counters = { errors: 0 };
    const clock = fakeClock();
    const reads = new RemoteReads(
      ctx,
      { verify, store: async (e) => (stored.push(e), true), countVerifyError: () => counters.errors++ },
      new Timers(clock, silentLogger),
    );
    return { ctx, reads, stored, counters, clock };
  }

  it('asks the closest active peers; a verified answer settles the read and is stored', async () => {
    const { ctx, reads, stored } = setup(async () => {});
    const e = vectorEntry();
    const p = reads.ask(e.dat.pubKey, e.dat.key, 1_000);
    expect(ctx.sent.map((s) => [s.msg.op, addressKey(s.to)])).to.deep.equal([[OP.GET, addressKey(A)]]);
    reads.onGetAck(e, addrPort('10.0.0.2', 2)); // unsolicited: dropped
    reads.onGetAck(e, A);
    expect(await p).to.equal(e);
    expect(stored, 'stored after the caller resumed, off the read path').to.deep.equal([]);
    await new Promise((r) => setImmediate(r));
    expect(stored).to.deep.equal([e]);
  });

  it('verifies one answer at a time: a second answer is verified only if the first fails', async () => {
    const B = addrPort('10.0.0.2', 2);
    for (const firstGood of [true, false]) {
      const pending: { dat: Dat; settle: (ok: boolean) => void }[] = [];
      const urgent: boolean[] = [];
      const { ctx, reads, stored, counters } = setup((dat, u) => {
        urgent.push(u === true);
        return new Promise<void>((res, rej) => pending.push({ dat, settle: (ok) => (ok ? res() : rej(new DaveError('ERR_BAD_SIGNATURE', 'bad'))) }));
      });
      const b = ctx.table.add(B, false, 0)!;
      ctx.table.proved(b, signingKey(new Uint8Array(32).fill(5)).publicKey, nodeId(owner) ^ 2n, 10_000, ctx.timings);
      const e = vectorEntry();
      const other = vectorEntry();
      const p = reads.ask(e.dat.pubKey, e.dat.key, 1_000).catch((err) => err.code);
      expect(ctx.sent).to.have.length(2);
      reads.onGetAck(e, A);
      reads.onGetAck(other, B); // comes while A's answer is being verified: held
      expect(pending).to.have.length(1);
      expect(pending[0]!.dat).to.equal(e.dat);
      expect(urgent, 'a read waits on it: urgent').to.deep.equal([true]);
      pending[0]!.settle(firstGood);
      await new Promise((r) => setImmediate(r));
      if (firstGood) {
        expect(await p).to.equal(e);
        await new Promise((r) => setImmediate(r));
        expect(pending, 'the held answer is never verified').to.have.length(1);
        expect(stored).to.have.length(1);
        expect(stored[0]).to.equal(e);
      } else {
        expect(counters.errors).to.equal(1);
        expect(pending, 'the held answer, after the first failed').to.have.length(2);
        expect(pending[1]!.dat).to.equal(other.dat);
        pending[1]!.settle(true);
        expect(await p).to.equal(other);
      }
    }
  });

  it('a bad answer counts as not found; a timeout runs on the injected clock', async () => {
    const { reads, counters, clock } = setup(async () => {
      throw new DaveError('ERR_BAD_SIGNATURE', 'bad');
    });
    const e = vectorEntry();
    const p = reads.ask(e.dat.pubKey, e.dat.key, 1_000).catch((err) => err.code);
    reads.onGetAck(e, A);
    expect(await p).to.equal('ERR_NOT_FOUND');
    expect(counters.errors).to.equal(1);
    const q = reads.ask(e.dat.pubKey, e.dat.key, 1_000).catch((err) => err.code);
    clock.advance(1_000);
    expect(await q).to.equal('ERR_TIMEOUT');
    const r = reads.ask(e.dat.pubKey, e.dat.key, 1_000).catch((err) => err.code);
    reads.onGetAck(notFoundEntry(e.dat.pubKey, e.dat.key), A);
    expect(await r).to.equal('ERR_NOT_FOUND');
  });

  it('over the cap of reads in flight: ERR_OVERLOADED; closing fails every read with ERR_CLOSED', async () => {
    const ctx = testContext();
    const p = ctx.table.add(A, false, 0)!;
    ctx.table.proved(p, owner, 1n, 10_000, ctx.timings);
    const intake = { verify: async () => {}, store: async () => true, countVerifyError: () => {} };
    const reads = new RemoteReads(ctx, intake, new Timers(fakeClock(), silentLogger), 1);
    const first = reads.ask(owner, new Uint8Array([1]), 1_000).catch((e) => e.code);
    expect(() => reads.ask(owner, new Uint8Array([2]), 1_000)).to.throw(DaveError).with.property('code', 'ERR_OVERLOADED');
    const same = reads.ask(owner, new Uint8Array([1]), 1_000).catch((e) => e.code); // joins the read in flight
    reads.abortAll();
    expect([await first, await same]).to.deep.equal(['ERR_CLOSED', 'ERR_CLOSED']);
  });

  it('without active peers: ERR_NO_ACTIVE_PEERS', () => {
    const ctx = testContext();
    const reads = new RemoteReads(ctx, { verify: async () => {}, store: async () => true, countVerifyError: () => {} }, new Timers(fakeClock(), silentLogger));
    expect(() => reads.ask(owner, new Uint8Array(1), 1_000)).to.throw(DaveError).with.property('code', 'ERR_NO_ACTIVE_PEERS');
  });
});

/** A FrameSink stand-in with the fields ReplicaLink reads. */
function sinkState(s: { failed: boolean; closedByPeer: boolean; error: Error | null }): FrameSink {
  return { ...s, end: async () => {} } as unknown as FrameSink;
}

describe('node/replica-link', () => {
  it('reconnects after the replica closed an idle connection, at most maxReconnects times', async () => {
    let connects = 0;
    const idleClosed = sinkState({ failed: true, closedByPeer: true, error: null });
    const link = new ReplicaLink(async () => (connects++, idleClosed), 3);
    expect(await link.sink()).to.equal(null);
    expect(connects, 'the first connection and three reconnects').to.equal(4);
    expect(link.error?.message).to.match(/closed the connection/);
  });

  it('returns the open sink; a connect error or a reset is final', async () => {
    const open = sinkState({ failed: false, closedByPeer: false, error: null });
    expect(await new ReplicaLink(async () => open).sink()).to.equal(open);
    let connects = 0;
    const refused = new ReplicaLink(async () => (connects++, new Error('ECONNREFUSED')));
    expect(await refused.sink()).to.equal(null);
    expect(await refused.end(10)).to.have.property('message', 'ECONNREFUSED');
    const reset = new ReplicaLink(async () => (connects++, sinkState({ failed: true, closedByPeer: true, error: new Error('ECONNRESET') })));
    expect(await reset.sink()).to.equal(null);
    expect(reset.error?.message).to.equal('ECONNRESET');
    expect(connects, 'no reconnects').to.equal(2);
  });
});
