/** node/writes/batch-writer.ts driven directly: fake sinks, test services. No sockets, no nodes. */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { DaveError } from '../../../lib/errors.js';
import type { Dat } from '../../../lib/wire/dat.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { decodeMessage } from '../../../lib/wire/message.js';
import { Writer } from '../../../lib/node/writes/batch-writer.js';
import { vectorDat } from '../../wire/fixtures.js';
import { testServices } from '../support/services.js';
import { FakeSink, asSink } from '../support/fake-sink.js';

function writerHost(verify: (d: Dat) => Promise<void> = async () => {}) {
  const stored: Entry[] = [];
  const host = testServices({ connectTimeoutMs: 50, frameTimeoutMs: 50 }, undefined, {
    intake: { verify, accept: async (e) => (stored.push(e), { status: 'stored' }), countVerifyError: () => {}, acceptBatch: async () => {} },
  });
  return { host, stored, sent: () => host.counters.packetsOut.PUT };
}

describe('node/writes/batch-writer', () => {
  const dat = vectorDat();
  const replicas = [1n, 2n, 3n, 0n, 0n];

  it('verifies each record, stores it here and pushes one PUT to every replica', async () => {
    const { host, stored, sent } = writerHost();
    const sinks = [new FakeSink(), new FakeSink()];
    const w = new Writer(host, dat.pubKey, replicas, sinks.map((s) => ({ peer: null, connect: async () => asSink(s) })));
    await w.write(dat);
    await w.close();
    expect(stored.map((e) => e.replicas)).to.deep.equal([replicas]);
    for (const s of sinks) {
      expect(s.pushed).to.have.length(1);
      const m = decodeMessage(s.pushed[0]!);
      expect(m.op).to.equal(OP.PUT);
      expect(s.ended).to.equal(true);
    }
    expect(sent()).to.equal(2);
  });

  it('a record that fails verification is neither stored nor sent; close() rejects with its error as it is', async () => {
    const bug = new TypeError('a bug, not a bad record');
    let fail: unknown = new DaveError('ERR_BAD_SIGNATURE', 'signature invalid');
    const { host, stored } = writerHost(async () => {
      throw fail;
    });
    const sink = new FakeSink();
    const w = new Writer(host, dat.pubKey, replicas, [{ peer: null, connect: async () => asSink(sink) }]);
    await w.write(dat);
    expect((await w.close().catch((e) => e)).code).to.equal('ERR_BAD_SIGNATURE');
    expect(stored).to.have.length(0);
    expect(sink.pushed).to.have.length(0);
    fail = bug;
    const w2 = new Writer(host, dat.pubKey, replicas, []);
    await w2.write(dat);
    expect(await w2.close().catch((e) => e)).to.equal(bug);
  });

  it('an unreachable replica does not stop the others; close() reports it with ERR_CONNECTION', async () => {
    const { host, stored } = writerHost();
    const ok = new FakeSink();
    const w = new Writer(host, dat.pubKey, replicas, [{ peer: null, connect: async () => new Error('ECONNREFUSED') }, { peer: null, connect: async () => asSink(ok) }]);
    await w.write(dat);
    const err = await w.close().catch((e) => e);
    expect(err.code).to.equal('ERR_CONNECTION');
    expect(err.message).to.match(/1 of 2 .*ECONNREFUSED/);
    expect(ok.pushed).to.have.length(1);
    expect(stored).to.have.length(1);
  });

  it('refuses another owner\'s record and any write after close', async () => {
    const { host } = writerHost();
    const w = new Writer(host, dat.pubKey, replicas, []);
    const other = { ...dat, pubKey: new Uint8Array(32).fill(7) };
    expect((await w.write(other).catch((e) => e)).code).to.equal('ERR_INVALID_ARGUMENT');
    await w.close();
    expect((await w.write(dat).catch((e) => e)).code).to.equal('ERR_CLOSED');
  });
});
