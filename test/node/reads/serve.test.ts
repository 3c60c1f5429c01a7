/** node/serve-get and node/udp-put, driven directly: who is answered, the budgets, the caps (docs/protocol.md §10, §11). */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { isNotFound } from '../../../lib/wire/message.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { GetServer } from '../../../lib/node/reads/serve.js';
import { UdpPuts } from '../../../lib/node/intake/udp-put.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { testContext } from '../support/context.js';

const key = signingKey(new Uint8Array(32).fill(2));
const A = addrPort('10.0.0.1', 1000);
const get = { op: OP.GET, pubKey: new Uint8Array(32).fill(5), key: new Uint8Array([1]) } as const;
const tick = () => new Promise((r) => setImmediate(r));

function provenPeer(ctx: ReturnType<typeof testContext>, getBudget: number) {
  const p = ctx.table.add(A, false, 0)!;
  ctx.table.proved(p, key.publicKey, 7n, 0, ctx.timings);
  ctx.table.challenged(p, new Uint8Array(32), getBudget);
  return p;
}

describe('node/serve-get', () => {
  it('answers a proven peer with the entry or the not-found form, within its budget', async () => {
    const ctx = testContext();
    provenPeer(ctx, 2);
    const stored = vectorEntry();
    let found = true;
    const server = new GetServer(ctx, { get: async () => (found ? stored : undefined) });
    server.onGet(get, A);
    await tick();
    found = false;
    server.onGet(get, A);
    server.onGet(get, A);
    await tick();
    expect(ctx.sent.map((s) => s.msg.op)).to.deep.equal([OP.GET_ACK, OP.GET_ACK]);
    expect((ctx.sent[0]!.msg as { entry: Entry }).entry).to.equal(stored);
    expect(isNotFound((ctx.sent[1]!.msg as { entry: Entry }).entry)).to.equal(true);
    expect(ctx.counters.getsOverBudget).to.equal(1);
  });

  it('ignores a peer that has not proved its key (a spoofed source)', async () => {
    const ctx = testContext();
    ctx.table.add(A, false, 0);
    new GetServer(ctx, { get: async () => undefined }).onGet(get, A);
    await tick();
    expect(ctx.sent).to.have.length(0);
    expect(ctx.counters.ignoredUnknown).to.equal(1);
  });

  it('serves at most maxServing GETs at once, and none once the node is closing', async () => {
    const ctx = testContext();
    provenPeer(ctx, 10);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const server = new GetServer(ctx, { get: async () => (await gate, undefined) }, 2);
    for (let i = 0; i < 3; i++) server.onGet(get, A);
    expect(server.inFlight).to.equal(2);
    expect(ctx.counters.droppedQueueFull).to.equal(1);
    ctx.closed = true;
    release();
    await tick();
    await tick();
    expect(server.inFlight).to.equal(0);
    expect(ctx.sent, 'no answers while closing').to.have.length(0);
  });
});

describe('node/udp-put', () => {
  it('hands a proven peer\'s PUT to ingest, at most `max` at once; ignores an unproven one', async () => {
    const ctx = testContext();
    const got: Entry[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const puts = new UdpPuts(ctx, async (e) => {
      got.push(e);
      await gate;
    }, 2);
    const entry = vectorEntry();
    ctx.table.add(A, false, 0);
    puts.onPut(entry, A);
    expect(ctx.counters.ignoredUnknown).to.equal(1);
    provenPeer(ctx, 0);
    for (let i = 0; i < 3; i++) puts.onPut(entry, A);
    expect(got).to.have.length(2);
    expect(puts.pending).to.equal(2);
    expect(ctx.counters.droppedQueueFull).to.equal(1);
    release();
    await tick();
    expect(puts.pending).to.equal(0);
  });
});
