/** node/intake/intake.ts: verify and store, one result, driven directly with fakes (docs/protocol.md §10). */
import { expect } from 'chai';
import { DaveError } from '../../../lib/errors.js';
import type { Dat } from '../../../lib/wire/dat.js';
import type { Entry } from '../../../lib/wire/entry.js';
import type { PutResult, StoreLike } from '../../../lib/store/types.js';
import { Intake, storedOrThrow } from '../../../lib/node/intake/intake.js';
import { newStats } from '../../../lib/node/services/stats.js';
import { silentLogger } from '../../../lib/node/options.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { oneEntryStore } from '../support/one-entry-store.js';

/** A store holding at most one entry, with scripted put outcomes. */
function fakeStore(stored?: Entry, put?: (e: Entry) => Promise<PutResult>) {
  return oneEntryStore(stored, { put });
}

function intake(store: StoreLike, verify: (d: Dat) => Promise<void> = async () => {}) {
  const counters = newStats();
  const verified: Dat[] = [];
  const it = new Intake(
    { store, counters, log: silentLogger, now: () => Date.now(), closing: () => false },
    { verify: (d) => (verified.push(d), verify(d)) },
    5_000,
  );
  return { it, counters, verified };
}

describe('node/intake/intake', () => {
  it('verifies a new record, then stores it and counts it', async () => {
    const { store, puts } = fakeStore(undefined, async () => ({ outcome: 'stored' as const, evicted: [1n] }));
    const { it, counters, verified } = intake(store);
    expect(await it.accept(vectorEntry())).to.deep.equal({ status: 'stored', evicted: [1n] });
    expect(verified).to.have.length(1);
    expect(puts).to.have.length(1);
    expect(counters.recordsStored).to.equal(1);
    expect(counters.evicted).to.equal(1);
  });

  it('refuses a record older than the stored one without verifying it', async () => {
    const e = vectorEntry();
    const { store, puts } = fakeStore({ dat: { ...e.dat, time: e.dat.time + 1 }, replicas: e.replicas });
    const { it, counters, verified } = intake(store);
    expect(await it.accept(e)).to.include({ status: 'refused', code: 'ERR_OLDER_THAN_STORED' });
    expect(verified).to.have.length(0);
    expect(puts).to.have.length(0);
    expect(counters.refused).to.deep.equal({ ERR_OLDER_THAN_STORED: 1 });
  });

  it('does not verify a record identical to the stored one: same replicas is a duplicate, new replicas are stored', async () => {
    const e = vectorEntry();
    const { store, puts } = fakeStore(e);
    const { it, counters, verified } = intake(store);
    expect(await it.accept(e)).to.include({ status: 'refused', code: 'ERR_DUPLICATE' });
    expect(counters.refused).to.deep.equal({ ERR_DUPLICATE: 1 });
    expect((await it.accept({ dat: e.dat, replicas: [9n, 0n, 0n, 0n, 0n] })).status).to.equal('stored');
    expect(verified).to.have.length(0);
    expect(counters.verifySkipped).to.equal(2);
    expect(puts).to.have.length(1);
  });

  it('counts a full verify queue apart from a failed verification, and a closing pool as neither', async () => {
    const { store, puts } = fakeStore();
    let fail: DaveError = new DaveError('ERR_OVERLOADED', 'verify queue full');
    const { it, counters } = intake(store, async () => {
      throw fail;
    });
    const e = vectorEntry();
    expect(await it.accept(e)).to.include({ status: 'refused', code: 'ERR_OVERLOADED' });
    expect(counters.droppedQueueFull).to.equal(1);
    fail = new DaveError('ERR_BAD_SIGNATURE', 'signature invalid');
    expect(await it.accept(e)).to.include({ status: 'refused', code: 'ERR_BAD_SIGNATURE' });
    expect(counters.verifyFailures).to.equal(1);
    fail = new DaveError('ERR_CLOSED', 'verify pool closed');
    expect((await it.accept(e)).status).to.equal('failed');
    expect([counters.droppedQueueFull, counters.verifyFailures]).to.deep.equal([1, 1]);
    expect(puts).to.have.length(0);
  });

  it('stores a verified entry without verifying it again; counts a store refusal by code and never rejects', async () => {
    const { store } = fakeStore(undefined, async () => {
      throw new DaveError('ERR_STORAGE_FULL', 'full');
    });
    const { it, counters, verified } = intake(store);
    const r = await it.accept(vectorEntry(), { verified: true });
    expect(r).to.deep.equal({ status: 'refused', code: 'ERR_STORAGE_FULL', message: 'full' });
    expect(verified).to.have.length(0);
    expect(counters.refused).to.deep.equal({ ERR_STORAGE_FULL: 1 });
    expect(() => storedOrThrow(r)).to.throw(DaveError).with.property('code', 'ERR_STORAGE_FULL');
  });

  it('counts a failed store (lookup or write) as a store failure, and says failed', async () => {
    const broken = new DaveError('ERR_DATABASE', 'disk on fire');
    const { store } = fakeStore(undefined, async () => {
      throw broken;
    });
    (store as { peek: unknown }).peek = () => {
      throw broken;
    };
    const { it, counters } = intake(store);
    expect(await it.accept(vectorEntry())).to.deep.equal({ status: 'failed', error: broken });
    expect(await it.accept(vectorEntry(), { verified: true })).to.deep.equal({ status: 'failed', error: broken });
    expect(counters.storeFailures).to.equal(2);
    expect(() => storedOrThrow({ status: 'failed', error: broken })).to.throw(broken);
  });
});
