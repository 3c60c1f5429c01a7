/** node/intake/tcp-reader.ts driven directly: a scripted TCP stream, test services. */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { OP } from '../../../lib/constants.js';
import { type Entry, decodeEntry } from '../../../lib/wire/entry.js';
import { encodeFrame } from '../../../lib/wire/frame.js';
import { encodeMessage } from '../../../lib/wire/message.js';
import { readConnection } from '../../../lib/node/intake/tcp-reader.js';
import { vectorDat } from '../../wire/fixtures.js';
import { testServices } from '../support/services.js';



describe('node/intake/tcp-reader', () => {
  const entry: Entry = { dat: vectorDat(), replicas: [1n, 2n, 3n, 4n, 5n] };

  function reader() {
    const stream = new PassThrough();
    const got: Entry[] = [];
    const timers = new Map<number, () => void>();
    let next = 1;
    const s = testServices({ frameTimeoutMs: 1_000 }, undefined, {
      intake: {
        accept: async (e) => (got.push(e), { status: 'stored' }),
        acceptBatch: async (b) => void got.push(...b.entries.map((e) => decodeEntry(e))),
        verify: async () => {},
        countVerifyError: () => {},
      },
      timers: { timeout: (fn) => (timers.set(next, fn), next++), clear: (h) => void timers.delete(h as number), every: () => 0 },
    });
    readConnection(stream, s);
    const fire = () => [...timers.values()].forEach((fn) => fn());
    const counts = {
      get malformed() {
        return s.counters.malformed;
      },
      get dropped() {
        return s.counters.tcpDropped;
      },
    };
    return { stream, got, counters: s.counters, counts, timers, fire };
  }

  it('hands each PUT frame to ingest, counts every frame, ignores other messages', async () => {
    const r = reader();
    r.stream.write(encodeFrame(encodeMessage({ op: OP.PUT, entry })));
    r.stream.write(encodeFrame(encodeMessage({ op: OP.GETMYADDRPORT })));
    await new Promise((res) => setImmediate(res));
    expect(r.got).to.have.length(1);
    expect([r.counters.packetsIn.PUT, r.counters.packetsIn.GETMYADDRPORT]).to.deep.equal([1, 1]);
    expect(r.stream.destroyed).to.equal(false);
    r.stream.destroy();
  });

  it('a malformed frame ends the connection, counted', async () => {
    const r = reader();
    r.stream.write(encodeFrame(new Uint8Array([0xff, 1, 2])));
    await new Promise((res) => setImmediate(res));
    expect({ malformed: r.counts.malformed, dropped: r.counts.dropped }).to.deep.equal({ malformed: 1, dropped: 1 });
    expect(r.stream.destroyed).to.equal(true);
  });

  it('no PUT within the read deadline ends the connection; a non-PUT message does not reset it', async () => {
    const r = reader();
    expect(r.timers.size).to.equal(1);
    r.stream.write(encodeFrame(encodeMessage({ op: OP.GETMYADDRPORT })));
    await new Promise((res) => setImmediate(res));
    expect(r.counts.dropped).to.equal(0);
    r.fire(); // the deadline armed at the start
    expect(r.counts.dropped).to.equal(1);
    expect(r.stream.destroyed).to.equal(true);
  });
});
