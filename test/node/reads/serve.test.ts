/** node/reads/serve.ts, driven directly: who is answered, the budgets, the caps (docs/protocol.md §11). */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { decodeMessage, encodeMessage, isNotFound } from '../../../lib/wire/message.js';
import { Store } from '../../../lib/store/store.js';
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

  it('answers from the store\'s bytes (Store.getBytes) with the very datagram the encoding path sends', async () => {
    const store = await Store.open();
    try {
      const stored = vectorEntry();
      await store.put(stored);
      const sends: { encoded: Uint8Array[]; bytes: Uint8Array[] } = { encoded: [], bytes: [] };
      for (const [which, withBytes] of [['bytes', true], ['encoded', false]] as const) {
        const ctx = testServices();
        provenPeer(ctx, 4);
        const s = withBytes ? store : { get: store.get.bind(store) }; // without getBytes: get() and encodeMessage
        const sent = sends[which];
        const server = new GetServer({ ...ctx, send: (m) => void sent.push(m instanceof Uint8Array ? m : encodeMessage(m)), store: s });
        server.onGet({ op: OP.GET, pubKey: stored.dat.pubKey, key: stored.dat.key }, A);
        server.onGet({ op: OP.GET, pubKey: stored.dat.pubKey, key: new Uint8Array([9]) }, A); // not found
        await tick();
        await tick();
      }
      expect(sends.bytes).to.have.length(2);
      expect(sends.bytes).to.deep.equal(sends.encoded);
      expect(sends.bytes[0]).to.deep.equal(encodeMessage({ op: OP.GET_ACK, entry: stored }));
    } finally {
      await store.close();
    }
  });

  it('answers a record in memory in the GET\'s own turn, one only in the database once it is read, and not-found at once', async () => {
    const store = await Store.open({ cacheCapacity: 0 }); // nothing cached: committed records are in the database only
    try {
      const onDisk = vectorEntry();
      await store.put(onDisk);
      const pending = { ...vectorEntry(), dat: { ...vectorEntry().dat, key: new Uint8Array([7]) } };
      const ctx = testServices();
      provenPeer(ctx, 10);
      const sent: Uint8Array[] = [];
      const server = new GetServer({ ...ctx, send: (m) => void sent.push(m instanceof Uint8Array ? m : encodeMessage(m)), store });
      const writing = store.put(pending); // queued, not yet committed
      server.onGet({ op: OP.GET, pubKey: pending.dat.pubKey, key: pending.dat.key }, A);
      server.onGet({ op: OP.GET, pubKey: onDisk.dat.pubKey, key: new Uint8Array([9]) }, A);
      expect(sent, 'the pending record and the not-found, in this turn').to.have.length(2);
      expect(server.inFlight).to.equal(0);
      server.onGet({ op: OP.GET, pubKey: onDisk.dat.pubKey, key: onDisk.dat.key }, A);
      expect(sent, 'the database read is waited for').to.have.length(2);
      expect(server.inFlight).to.equal(1);
      await writing;
      for (let i = 0; i < 20 && sent.length < 3; i++) await tick();
      expect(server.inFlight).to.equal(0);
      expect(sent[2]).to.deep.equal(encodeMessage({ op: OP.GET_ACK, entry: onDisk }));
      expect(isNotFound((decodeMessage(sent[1]!) as { entry: Entry }).entry)).to.equal(true);
      expect(sent[0]).to.deep.equal(encodeMessage({ op: OP.GET_ACK, entry: pending }));
    } finally {
      await store.close();
    }
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
