/** node/reads/serve.ts, driven directly: who is answered, the budgets, the caps (docs/protocol.md §11). */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { isNotFound } from '../../../lib/wire/message.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { GetServer } from '../../../lib/node/reads/serve.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { entriesStore, type TestServices, provePeer, testServices } from '../support/services.js';

const key = signingKey(new Uint8Array(32).fill(2));
const A = addrPort('10.0.0.1', 1000);
const get = { op: OP.GET, pubKey: new Uint8Array(32).fill(5), key: new Uint8Array([1]) } as const;
const tick = () => new Promise((r) => setImmediate(r));

const provenPeer = (ctx: TestServices, getBudget: number) => provePeer(ctx, A, key.publicKey, getBudget);

describe('node/reads/serve', () => {
  it('answers a proven peer with the entry or the not-found form, within its budget', async () => {
    const ctx = testServices();
    provenPeer(ctx, 2);
    const stored = vectorEntry();
    let found = true;
    const server = new GetServer({ ...ctx, store: { ...entriesStore(), get: async () => (found ? stored : undefined) } });
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
    const ctx = testServices();
    ctx.table.add(A, false, 0);
    new GetServer(ctx).onGet(get, A);
    await tick();
    expect(ctx.sent).to.have.length(0);
    expect(ctx.counters.ignoredUnknown).to.equal(1);
  });

  it('serves at most maxServing GETs at once, and none once the node is closing', async () => {
    const ctx = testServices();
    provenPeer(ctx, 10);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const server = new GetServer({ ...ctx, store: { ...entriesStore(), get: async () => (await gate, undefined) } }, 2);
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
