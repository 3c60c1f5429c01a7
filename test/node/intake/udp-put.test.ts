/** node/intake/udp-put.ts, driven directly: who may make us verify, the cap, the batches (docs/protocol.md §10). */
import { expect } from 'chai';
import { addrPort } from '../../../lib/wire/address.js';
import { type Entry, encodeEntry } from '../../../lib/wire/entry.js';
import { encodeMessage } from '../../../lib/wire/message.js';
import { OP } from '../../../lib/constants.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import type { EntryBatch } from '../../../lib/records/entry-batch.js';
import { UdpPuts } from '../../../lib/node/intake/udp-put.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { type TestServices, provePeer, testServices } from '../support/services.js';

const key = signingKey(new Uint8Array(32).fill(2));
const A = addrPort('10.0.0.1', 1000);
const tick = () => new Promise((r) => setImmediate(r));

const provenPeer = (ctx: TestServices, getBudget: number) => provePeer(ctx, A, key.publicKey, getBudget);

/** A UdpPuts whose intake records each batch and holds it until release(). */
function gated(max: number, maxBatch?: number) {
  const batches: EntryBatch[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const ctx = testServices();
  const acceptBatch = async (b: EntryBatch) => (batches.push(b), await gate, b.count);
  const puts = new UdpPuts({ ...ctx, intake: { ...ctx.intake, acceptBatch } }, max, maxBatch);
  return { ctx, puts, batches, release: () => release() };
}

function putDatagram(e: Entry): { entry: Entry; bytes: Uint8Array } {
  return { entry: e, bytes: encodeMessage({ op: OP.PUT, entry: e }).subarray(3) };
}

describe('node/intake/udp-put', () => {
  it('hands a proven peer\'s PUTs of one turn to the intake as one batch of their datagrams\' bytes, at most `max` at once; ignores an unproven one', async () => {
    const { ctx, puts, batches, release } = gated(2);
    const { entry, bytes } = putDatagram(vectorEntry());
    ctx.table.add(A, false, 0);
    puts.onPut(entry, A, bytes);
    expect(ctx.counters.ignoredUnknown).to.equal(1);
    provenPeer(ctx, 0);
    for (let i = 0; i < 3; i++) puts.onPut(entry, A, bytes);
    expect(puts.pending).to.equal(2);
    expect(ctx.counters.droppedQueueFull).to.equal(1);
    expect(batches, 'handed over at the end of the turn').to.have.length(0);
    await tick();
    expect(batches).to.have.length(1);
    expect(batches[0]!.entries).to.deep.equal([bytes, bytes]);
    expect(batches[0]!.entries[0], 'the datagram\'s own bytes, not a copy').to.equal(bytes);
    release();
    await tick();
    expect(puts.pending).to.equal(0);
  });

  it('a PUT handed in without its bytes is encoded (the same bytes)', async () => {
    const { ctx, puts, batches, release } = gated(4);
    provenPeer(ctx, 0);
    const e = vectorEntry();
    puts.onPut(e, A);
    await tick();
    expect(batches[0]!.entries).to.deep.equal([encodeEntry(e)]);
    release();
  });

  it('a hostile flood: a proven peer\'s 10,000 PUTs in one turn hold at most `max` records, in batches of at most maxBatch handed over at once; strangers\' hold nothing', async () => {
    const { ctx, puts, batches, release } = gated(2048, 256);
    const { entry, bytes } = putDatagram(vectorEntry());
    const B = addrPort('10.0.0.2', 1000);
    ctx.table.add(B, false, 0); // known but never proved: a spoofed source
    for (let i = 0; i < 10_000; i++) puts.onPut(entry, B, bytes);
    expect(ctx.counters.ignoredUnknown).to.equal(10_000);
    expect(puts.pending).to.equal(0);
    provenPeer(ctx, 0);
    for (let i = 0; i < 10_000; i++) puts.onPut(entry, A, bytes);
    expect(puts.pending).to.equal(2048);
    expect(ctx.counters.droppedQueueFull).to.equal(10_000 - 2048);
    // full batches go at once, within the turn: no batch ever holds more than maxBatch
    expect(batches.map((b) => b.count)).to.deep.equal(new Array(8).fill(256));
    await tick();
    expect(batches).to.have.length(8, 'nothing left over for the end of the turn');
    release();
    await tick();
    expect(puts.pending).to.equal(0);
    puts.onPut(entry, A, bytes); // room again
    expect(puts.pending).to.equal(1);
  });
});
