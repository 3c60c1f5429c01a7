/** node/reads/remote.ts: our GETs and their answers (docs/protocol.md §11), on test services. */
import { expect } from 'chai';
import { DaveError } from '../../../lib/errors.js';
import { OP } from '../../../lib/constants.js';
import { addrPort, addressKey } from '../../../lib/wire/address.js';
import type { Dat } from '../../../lib/wire/dat.js';
import { type Entry, encodeEntry } from '../../../lib/wire/entry.js';
import { decodeMessage, encodeMessage, notFoundEntry } from '../../../lib/wire/message.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { nodeId } from '../../../lib/records/record.js';
import { RemoteReads, STORE_BATCH, STORE_WAIT_MS } from '../../../lib/node/reads/remote.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { testServices } from '../support/services.js';



describe('node/reads/remote', () => {
  const owner = signingKey(new Uint8Array(32).fill(4)).publicKey;
  const A = addrPort('10.0.0.1', 1);

  function setup(verify: (dat: Dat, urgent?: boolean) => Promise<void>) {
    const stored: Entry[] = [];
    const counters = { errors: 0 };
    const ctx = testServices(undefined, undefined, {
      intake: { verify, accept: async (e) => (stored.push(e), { status: 'stored' as const }), countVerifyError: () => counters.errors++, acceptBatch: async () => 0 },
    });
    const p = ctx.table.add(A, false, 0)!;
    ctx.table.proved(p, owner, nodeId(owner) ^ 1n, 10_000, ctx.timings);
    const reads = new RemoteReads(ctx);
    return { ctx, reads, stored, counters, clock: ctx };
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

  it('stores a verified answer from the bytes it came in (acceptBatch, verified), not encoded again', async () => {
    const batches: Uint8Array[][] = [];
    const verifiedOpt: (boolean | undefined)[] = [];
    const ctx = testServices(undefined, undefined, {
      intake: {
        verify: async () => {},
        accept: async () => expect.fail('the per-record path'),
        countVerifyError: () => {},
        acceptBatch: async (b, o) => (batches.push([...b.entries]), verifiedOpt.push(o?.verified), b.count),
      },
    });
    const p = ctx.table.add(A, false, 0)!;
    ctx.table.proved(p, owner, nodeId(owner) ^ 1n, 10_000, ctx.timings);
    const reads = new RemoteReads(ctx);
    const e = vectorEntry();
    const datagram = encodeMessage({ op: OP.GET_ACK, entry: e });
    const got = reads.ask(e.dat.pubKey, e.dat.key, 1_000);
    reads.onGetAck((decodeMessage(datagram) as { entry: Entry }).entry, A, datagram.subarray(3));
    expect(await got).to.deep.equal(e);
    ctx.advance(STORE_WAIT_MS - 1);
    expect(batches, 'the store waits for the answers of the next reads').to.have.length(0);
    // a second read's answer within the wait joins the batch
    const e2 = vectorEntry();
    e2.dat.key = new Uint8Array([7, 7]);
    const datagram2 = encodeMessage({ op: OP.GET_ACK, entry: e2 });
    const got2 = reads.ask(e2.dat.pubKey, e2.dat.key, 1_000);
    reads.onGetAck((decodeMessage(datagram2) as { entry: Entry }).entry, A, datagram2.subarray(3));
    await got2;
    ctx.advance(1);
    expect(verifiedOpt).to.deep.equal([true]);
    expect(batches).to.have.length(1);
    expect(batches[0]).to.deep.equal([encodeEntry(e), encodeEntry(e2)]);
    expect(batches[0]![0]!.buffer, 'a view of the datagram').to.equal(datagram.buffer);
  });

  it('stores at most STORE_BATCH verified answers in one batch: a full batch goes at once', async () => {
    const sizes: number[] = [];
    const ctx = testServices(undefined, undefined, {
      intake: { verify: async () => {}, accept: async () => expect.fail('the per-record path'), countVerifyError: () => {}, acceptBatch: async (b) => (sizes.push(b.count), b.count) },
    });
    const p = ctx.table.add(A, false, 0)!;
    ctx.table.proved(p, owner, nodeId(owner) ^ 1n, 10_000, ctx.timings);
    const reads = new RemoteReads(ctx);
    const n = STORE_BATCH + 3;
    const all: Promise<Entry>[] = [];
    for (let i = 0; i < n; i++) {
      const e = vectorEntry();
      e.dat.key = new TextEncoder().encode(`k${i}`);
      const datagram = encodeMessage({ op: OP.GET_ACK, entry: e });
      all.push(reads.ask(e.dat.pubKey, e.dat.key, 1_000));
      reads.onGetAck((decodeMessage(datagram) as { entry: Entry }).entry, A, datagram.subarray(3));
    }
    await Promise.all(all);
    expect(sizes).to.deep.equal([STORE_BATCH]);
    ctx.advance(STORE_WAIT_MS);
    expect(sizes).to.deep.equal([STORE_BATCH, 3]);
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
    const ctx = testServices();
    const p = ctx.table.add(A, false, 0)!;
    ctx.table.proved(p, owner, 1n, 10_000, ctx.timings);
    const reads = new RemoteReads(ctx, 1);
    const first = reads.ask(owner, new Uint8Array([1]), 1_000).catch((e) => e.code);
    expect(() => reads.ask(owner, new Uint8Array([2]), 1_000)).to.throw(DaveError).with.property('code', 'ERR_OVERLOADED');
    const same = reads.ask(owner, new Uint8Array([1]), 1_000).catch((e) => e.code); // joins the read in flight
    reads.abortAll();
    expect([await first, await same]).to.deep.equal(['ERR_CLOSED', 'ERR_CLOSED']);
  });

  it('without active peers: ERR_NO_ACTIVE_PEERS', () => {
    const reads = new RemoteReads(testServices());
    expect(() => reads.ask(owner, new Uint8Array(1), 1_000)).to.throw(DaveError).with.property('code', 'ERR_NO_ACTIVE_PEERS');
  });
});
