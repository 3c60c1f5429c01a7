/**
 * node/intake/intake: replica lists come only from proven peers (docs/protocol.md
 * §10). A TCP PUT from a host with no proven peer never replaces a stored
 * list (the attack: one unauthenticated PUT of a stored record
 * with made-up replica IDs); it is counted in replicaListsIgnored.
 */
import { expect } from 'chai';
import { type Entry, encodeEntry } from '../../../lib/wire/entry.js';
import { EntryBatch } from '../../../lib/records/entry-batch.js';
import type { StoreLike } from '../../../lib/store/types.js';
import { Intake } from '../../../lib/node/intake/intake.js';
import { silentLogger } from '../../../lib/node/options.js';
import { newStats } from '../../../lib/node/services/stats.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { oneEntryStore } from '../support/one-entry-store.js';

function memoryStore(initial?: Entry) {
  return oneEntryStore(initial, { keep: true });
}

function intake(store: StoreLike) {
  const counters = newStats();
  const pool = {
    verify: async () => {},
    verifyBatch: async (): Promise<never> => {
      throw new Error('a stranger\'s batch must take the per-record path');
    },
  };
  const it = new Intake({ store, counters, log: silentLogger, now: () => Date.now(), closing: () => false }, pool, 5_000);
  return { it, counters };
}

const FORGED = [0xffffffffffffffffn, 0x1111111111111111n, 3n, 4n, 5n];

describe('node/intake: replica lists only from proven peers', () => {
  it('a stored record with a stranger\'s replica list: refused as a duplicate, the list kept, counted', async () => {
    const e = vectorEntry();
    const m = memoryStore(e);
    const { it, counters } = intake(m.store);
    expect(await it.accept({ dat: e.dat, replicas: FORGED }, { fromProven: false })).to.include({ status: 'refused', code: 'ERR_DUPLICATE' });
    expect(m.puts).to.have.length(0);
    expect(m.stored()!.replicas).to.deep.equal(e.replicas);
    expect(counters.replicaListsIgnored).to.equal(1);
    // the same list from a proven peer is taken
    expect((await it.accept({ dat: e.dat, replicas: FORGED }, { fromProven: true })).status).to.equal('stored');
    expect(m.stored()!.replicas).to.deep.equal(FORGED);
    expect(counters.replicaListsIgnored).to.equal(1);
  });

  it('a new record from a stranger is stored, without its list; a newer one keeps the list we held', async () => {
    const e = vectorEntry();
    const m = memoryStore();
    const { it, counters } = intake(m.store);
    expect((await it.accept({ dat: e.dat, replicas: FORGED }, { fromProven: false })).status).to.equal('stored');
    expect(m.stored()!.replicas).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    expect(counters.replicaListsIgnored).to.equal(1);
    const held = memoryStore({ dat: { ...e.dat, time: e.dat.time - 1 }, replicas: [7n, 8n, 9n, 10n, 11n] });
    const second = intake(held.store);
    expect((await second.it.accept({ dat: e.dat, replicas: FORGED }, { fromProven: false })).status).to.equal('stored');
    expect(held.stored()!.dat.time).to.equal(e.dat.time);
    expect(held.stored()!.replicas).to.deep.equal([7n, 8n, 9n, 10n, 11n]);
    expect(second.counters.replicaListsIgnored).to.equal(1);
  });

  it('a TCP batch from a host with no proven peer takes the same rule, record by record', async () => {
    const e = vectorEntry();
    const m = memoryStore(e);
    const { it, counters } = intake(m.store);
    const batch = new EntryBatch();
    expect(batch.add(encodeEntry({ dat: e.dat, replicas: FORGED }).slice())).to.equal(true);
    expect(await it.acceptBatch(batch, { fromProven: false }), 'records stored').to.equal(0);
    expect(m.puts).to.have.length(0);
    expect(m.stored()!.replicas).to.deep.equal(e.replicas);
    expect(counters.replicaListsIgnored).to.equal(1);
  });
});
