/** node/intake/udp-put.ts, driven directly: who may make us verify, the cap (docs/protocol.md §10). */
import { expect } from 'chai';
import { addrPort } from '../../../lib/wire/address.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { signingKey } from '../../../lib/crypto/ed25519.js';
import { UdpPuts } from '../../../lib/node/intake/udp-put.js';
import { vectorEntry } from '../../wire/fixtures.js';
import { type TestServices, provePeer, testServices } from '../support/services.js';

const key = signingKey(new Uint8Array(32).fill(2));
const A = addrPort('10.0.0.1', 1000);
const tick = () => new Promise((r) => setImmediate(r));

const provenPeer = (ctx: TestServices, getBudget: number) => provePeer(ctx, A, key.publicKey, getBudget);

describe('node/intake/udp-put', () => {
  it('hands a proven peer\'s PUT to the intake, at most `max` at once; ignores an unproven one', async () => {
    const got: Entry[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ctx = testServices();
    const accept = async (e: Entry) => (got.push(e), await gate, { status: 'stored' as const });
    const puts = new UdpPuts({ ...ctx, intake: { ...ctx.intake, accept } }, 2);
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
