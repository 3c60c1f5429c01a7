/** node/peers/handshake and node/peers/discovery, driven directly (docs/protocol.md §7, §8): no sockets, no timers. */
import { expect } from 'chai';
import { OP, NPEER_LIMIT } from '../../../lib/constants.js';
import { addrPort, addressKey } from '../../../lib/wire/address.js';
import type { PongMessage } from '../../../lib/wire/message.js';
import { sign, signingKey } from '../../../lib/crypto/ed25519.js';
import { blake3 } from '../../../lib/crypto/hash.js';
import { nodeId } from '../../../lib/records/record.js';
import { PONG_BUDGET, UNPROVEN_PONG_BUDGET } from '../../../lib/peers/table.js';
import { Handshake, IMMEDIATE_CHALLENGES_PER_S } from '../../../lib/node/peers/handshake.js';
import { AddressDiscovery } from '../../../lib/node/peers/discovery.js';
import { ASK_WINDOW_MS } from '../../../lib/node/peers/addr-asks.js';
import { type TestServices, entriesStore, testServices } from '../support/services.js';
import { silentLogger } from '../../../lib/node/options.js';

const me = signingKey(new Uint8Array(32).fill(1));
const them = signingKey(new Uint8Array(32).fill(2));
const A = addrPort('10.0.0.1', 1000);
const BOUND = addrPort('10.0.0.9', 1618);

function setup(edges = [] as ReturnType<typeof addrPort>[]): { ctx: TestServices; hs: Handshake; disc: AddressDiscovery; active: number[] } {
  const ctx = testServices({ activateAfterMs: 5_000 }, undefined, { store: { ...entriesStore(), usedSpace: () => 11, capacity: () => 22 } });
  const disc = new AddressDiscovery(ctx, edges, BOUND, () => 0);
  const active: number[] = [];
  let n = 0;
  const hs = new Handshake(ctx, {
    signer: me,
    discovery: disc,
    maxGetAnswersPerPing: 7,
    onActive: () => active.push(ctx.time),
    randomBytes: (len) => new Uint8Array(len).fill(++n),
  });
  return { ctx, hs, disc, active };
}

/** The PONG `key` would send to answer `challenge`. */
function pong(challenge: Uint8Array, peers = [] as ReturnType<typeof addrPort>[], key = them): PongMessage {
  const salt = new Uint8Array(16).fill(9);
  return { op: OP.PONG, peers, solution: { challenge, salt, pubKey: key.publicKey, sig: sign(key, blake3(challenge, salt)) } };
}

describe('node/peers/handshake', () => {
  it('pingAll sends each peer a fresh challenge with our used space and capacity, and refills its budgets', () => {
    const { ctx, hs } = setup();
    const p = ctx.table.add(A, false, 0)!;
    hs.pingAll();
    expect(ctx.sent).to.have.length(1);
    const m = ctx.sent[0]!.msg;
    if (m.op !== OP.PING) throw new Error('expected a PING');
    expect(m.usedSpace).to.equal(11n);
    expect(m.capacity).to.equal(22n);
    expect(p.challenge).to.deep.equal(m.challenge);
    expect(p.getBudget).to.equal(7);
    expect(p.pongBudget, 'an unproven address: one PONG per period').to.equal(UNPROVEN_PONG_BUDGET);
    ctx.table.proved(p, them.publicKey, 5n, 1, ctx.timings);
    hs.pingAll();
    expect(p.pongBudget, 'a proven peer').to.equal(PONG_BUDGET);
  });

  it('a PING adds the sender and is answered within its PONG budget, without our peer list while it is unproven', () => {
    const { ctx, hs } = setup();
    const other = ctx.table.add(addrPort('10.0.0.2', 1), false, 0)!;
    ctx.table.proved(other, them.publicKey, 5n, 6_000, ctx.timings);
    const ping = { op: OP.PING, challenge: new Uint8Array(32).fill(3), usedSpace: 5n, capacity: 6n } as const;
    for (let i = 0; i < PONG_BUDGET + 2; i++) hs.onPing(ping, A);
    const pongs = ctx.sent.filter((s) => s.msg.op === OP.PONG);
    expect(pongs, 'PONGs only within the budget of an unproven address').to.have.length(UNPROVEN_PONG_BUDGET);
    const peer = ctx.table.get(addressKey(A))!;
    expect(peer.usedSpace).to.equal(5n);
    expect(peer.capacity).to.equal(6n);
    const m = pongs[0]!.msg as PongMessage;
    expect(m.peers, 'an unproven peer gets no list').to.deep.equal([]);
    expect(m.solution.pubKey).to.deep.equal(me.publicKey);
  });

  it("a newcomer's PING is answered by our challenge at once (before our PONG), one while it is outstanding, within the per-second budget", () => {
    const { ctx, hs } = setup();
    const ping = { op: OP.PING, challenge: new Uint8Array(32).fill(3), usedSpace: 0n, capacity: 0n } as const;
    hs.onPing(ping, A);
    hs.onPing(ping, A);
    expect(ctx.sent.map((s) => s.msg.op), 'one challenge while it is outstanding, sent first').to.deep.equal([OP.PING, OP.PONG]);
    const peer = ctx.table.get(addressKey(A))!;
    expect(peer.challenge).to.deep.equal((ctx.sent[0]!.msg as { challenge: Uint8Array }).challenge);
    expect(peer.getBudget, 'its GET budget is refilled: it is answered once proved').to.equal(7);
    hs.onPong(pong(peer.challenge!), A);
    expect(peer.pubKey).to.deep.equal(them.publicKey);
    // a flood from new addresses within one second: IMMEDIATE_CHALLENGES_PER_S challenges, the rest deferred
    ctx.sent.length = 0;
    for (let i = 0; i < IMMEDIATE_CHALLENGES_PER_S + 5; i++) hs.onPing(ping, addrPort('10.1.0.1', 2000 + i));
    const pings = () => ctx.sent.filter((s) => s.msg.op === OP.PING).length;
    expect(pings()).to.equal(IMMEDIATE_CHALLENGES_PER_S - 1);
    expect(ctx.counters.challengesDeferred).to.equal(6);
    ctx.time += 1_000;
    hs.onPing(ping, addrPort('10.1.0.2', 1));
    expect(pings(), 'a new second, a new budget').to.equal(IMMEDIATE_CHALLENGES_PER_S);
  });

  it('a PONG answering our challenge proves the key, adds the listed peers, and counts the peer active in time', () => {
    const { ctx, hs, active } = setup();
    const p = ctx.table.add(A, false, 0)!;
    ctx.time = 6_000;
    hs.pingAll();
    const listed = addrPort('10.0.0.3', 3);
    hs.onPong(pong(p.challenge!, [listed]), A);
    expect(p.id).to.equal(nodeId(them.publicKey));
    expect(p.solved).to.equal(6_000);
    expect(p.active).to.equal(true);
    expect(active).to.deep.equal([6_000]);
    expect(ctx.table.get(addressKey(listed))).to.not.equal(undefined);
    expect(ctx.counters.authFailures).to.equal(0);
  });

  it('rejects a PONG without a challenge, a replayed one, a wrong challenge and a key change', () => {
    const { ctx, hs } = setup();
    const p = ctx.table.add(A, false, 0)!;
    hs.onPong(pong(new Uint8Array(32)), A);
    expect(ctx.counters.authFailures, 'no challenge').to.equal(1);
    hs.pingAll();
    const c = p.challenge!;
    hs.onPong(pong(c), A);
    hs.onPong(pong(c), A);
    expect(ctx.counters.authFailures, 'one answer per challenge').to.equal(2);
    hs.pingAll();
    hs.onPong(pong(new Uint8Array(32).fill(0xee)), A);
    expect(ctx.counters.authFailures, 'wrong challenge').to.equal(3);
    hs.pingAll();
    hs.onPong(pong(p.challenge!, [], signingKey(new Uint8Array(32).fill(3))), A);
    expect(ctx.counters.authFailures, 'key change').to.equal(4);
    expect(p.id).to.equal(nodeId(them.publicKey));
  });

  it('rejects a PONG list that is too long or holds our address, and skips undialable addresses', () => {
    const { ctx, hs } = setup();
    const p = ctx.table.add(A, false, 0)!;
    hs.pingAll();
    const long = Array.from({ length: NPEER_LIMIT + 1 }, (_, i) => addrPort('10.0.1.1', i + 1));
    hs.onPong(pong(p.challenge!, long), A);
    expect(ctx.counters.peerListsRejected).to.equal(1);
    hs.pingAll();
    hs.onPong(pong(p.challenge!, [BOUND]), A);
    expect(ctx.counters.peerListsRejected).to.equal(2);
    hs.pingAll();
    hs.onPong(pong(p.challenge!, [addrPort('0.0.0.0', 5), addrPort('10.0.0.4', 0)]), A);
    expect(ctx.counters.peerAddressesSkipped).to.equal(2);
    expect(ctx.table.size).to.equal(1);
  });

  it('a PONG carrying our own key: the address is ours, the non-edge "peer" is forgotten', () => {
    const { ctx, hs, disc } = setup();
    const p = ctx.table.add(A, false, 0)!;
    hs.pingAll();
    hs.onPong(pong(p.challenge!, [], me), A);
    expect(ctx.table.get(p.key)).to.equal(undefined);
    expect(disc.publicAddress).to.deep.equal(A);
    expect(disc.isOwnAddress(A)).to.equal(true);
  });
});

describe('node/peers/discovery', () => {
  it('asks a proven edge for our address every PING period until one answers, then every getMyAddrPortEveryMs', () => {
    const { ctx, disc } = setup([A]);
    const e = ctx.table.add(A, true, 0)!;
    disc.maybeAsk();
    expect(ctx.sent, 'the edge has not proved its key').to.have.length(0);
    ctx.table.proved(e, them.publicKey, nodeId(them.publicKey), 0, ctx.timings);
    disc.maybeAsk();
    expect(ctx.sent.map((s) => s.msg.op)).to.deep.equal([OP.GETMYADDRPORT]);
    ctx.time = ctx.timings.pingMs - 1;
    disc.maybeAsk();
    expect(ctx.sent).to.have.length(1);
    ctx.time = ctx.timings.pingMs;
    ctx.table.proved(e, them.publicKey, 0n, ctx.time, ctx.timings);
    disc.maybeAsk();
    expect(ctx.sent).to.have.length(2);
    disc.onAnswer(addrPort('1.2.3.4', 5), A);
    expect(disc.publicAddress).to.deep.equal(addrPort('1.2.3.4', 5));
    ctx.time += ctx.timings.pingMs;
    ctx.table.proved(e, them.publicKey, 0n, ctx.time, ctx.timings);
    disc.maybeAsk();
    expect(ctx.sent, 'answered: next ask after getMyAddrPortEveryMs').to.have.length(2);
  });

  it('only an edge may tell us our address; only a known peer gets an answer', () => {
    const { ctx, disc } = setup();
    ctx.table.add(A, false, 0);
    disc.onAnswer(addrPort('1.2.3.4', 5), A);
    expect(disc.publicAddress).to.equal(null);
    disc.onRequest(addrPort('10.9.9.9', 9));
    expect(ctx.counters.ignoredUnknown).to.equal(1);
    disc.onRequest(A);
    expect(ctx.sent).to.deep.equal([{ msg: { op: OP.GETMYADDRPORT_ACK, addr: A }, to: A }]);
  });

  it("an unknown address's GETMYADDRPORT is answered once when its PING follows within the window, as godave asks", () => {
    const { ctx, hs, disc } = setup();
    const B = addrPort('10.0.0.3', 3);
    const ping = { op: OP.PING, challenge: new Uint8Array(32).fill(3), usedSpace: 0n, capacity: 0n } as const;
    disc.onRequest(A);
    disc.onRequest(B);
    expect(ctx.sent, 'strangers get nothing at once').to.deep.equal([]);
    ctx.time += ASK_WINDOW_MS;
    hs.onPing(ping, A);
    expect(ctx.sent.filter((s) => s.msg.op === OP.GETMYADDRPORT_ACK)).to.deep.equal([{ msg: { op: OP.GETMYADDRPORT_ACK, addr: A }, to: A }]);
    hs.onPing(ping, A);
    expect(ctx.sent.filter((s) => s.msg.op === OP.GETMYADDRPORT_ACK), 'once').to.have.length(1);
    ctx.time += 1;
    hs.onPing(ping, B);
    expect(ctx.sent.filter((s) => s.msg.op === OP.GETMYADDRPORT_ACK), 'B asked too long ago').to.have.length(1);
  });

  it('our bound address is ours unless unspecified', () => {
    const { disc } = setup();
    expect(disc.isOwnAddress(BOUND)).to.equal(true);
    expect(disc.isOwnAddress(A)).to.equal(false);
    const any = new AddressDiscovery(testServices(), [], addrPort('::', 1618));
    expect(any.isOwnAddress(addrPort('::', 1618))).to.equal(false);
  });
});

describe('node/peers/handshake: ticket keys', () => {
  it('an edge expecting a key refuses a PONG proving another one, says so once, and takes the right one', () => {
    const warnings: string[] = [];
    const ctx = testServices({}, undefined, { log: { ...silentLogger, warn: (...a: unknown[]) => void warnings.push(a.join(' ')) } });
    const disc = new AddressDiscovery(ctx, [A], BOUND, () => 0);
    const hs = new Handshake(ctx, { signer: me, discovery: disc, maxGetAnswersPerPing: 1, onActive: () => {} });
    const edge = ctx.table.add(A, true, 0)!;
    ctx.table.expectKey(edge, new Uint8Array(32).fill(9));
    for (let i = 0; i < 3; i++) {
      hs.pingAll();
      const c = (ctx.sent.at(-1)!.msg as { challenge: Uint8Array }).challenge;
      hs.onPong(pong(c), A);
    }
    expect(edge.pubKey).to.equal(null);
    expect(ctx.counters.edgeKeyMismatches).to.equal(3);
    expect(edge.refusal).to.contain('ticket key mismatch');
    expect(warnings, 'said once').to.have.length(1);
    expect(warnings[0]).to.contain(`the node at this address proved ${Buffer.from(them.publicKey).toString('hex')}`);
    ctx.table.expectKey(edge, them.publicKey);
    hs.pingAll();
    hs.onPong(pong((ctx.sent.at(-1)!.msg as { challenge: Uint8Array }).challenge), A);
    expect(edge.id).to.equal(nodeId(them.publicKey));
    expect(edge.refusal).to.equal(null);
  });
});
