/**
 * peers/table against Sybils (docs/protocol.md §7, "What a node refuses"):
 * per-prefix caps, one entry per node ID and address family (loopback
 * included), newcomer slots and the eviction rule of a full table, and the
 * PING credit of addresses that have not proved a key.
 */
import { expect } from 'chai';
import { addrPort } from '../../lib/wire/address.js';
import { type Peer, PeerTable, UNPROVEN_PINGS } from '../../lib/peers/table.js';
import { prefixKey } from '../../lib/peers/address.js';

const T = { activateAfterMs: 5_000, deactivateAfterMs: 3_000, dropAfterMs: 12_000 };
const key = (n: number) => new Uint8Array(32).fill(n);

/** admitKey then proved, as the handshake does; false when refused. */
function prove(t: PeerTable, p: Peer, id: bigint, now = 0): boolean {
  if (!t.admitKey(p, id, now)) return false;
  t.proved(p, key(Number(id % 250n) + 1), id, now, T);
  return true;
}

describe('peers/table: Sybil limits', () => {
  it('caps peers per IPv4 /24 and IPv6 /48 beyond the per-host cap; loopback is exempt', () => {
    const t = new PeerTable({ maxPerHost: 2, maxPerPrefix: 3 });
    expect(t.add(addrPort('10.1.2.1', 1), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('10.1.2.1', 2), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('10.1.2.2', 1), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('10.1.2.3', 1), false, 0), 'the /24 is full').to.equal(undefined);
    expect(t.add(addrPort('10.1.3.3', 1), false, 0), 'another /24').to.not.equal(undefined);
    for (let i = 0; i < 3; i++) expect(t.add(addrPort(`2001:db8:1:${i}::1`, 1), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('2001:db8:1:9::1', 1), false, 0), 'the /48 is full').to.equal(undefined);
    expect(t.add(addrPort('2001:db8:2::1', 1), false, 0), 'another /48').to.not.equal(undefined);
    for (let i = 1; i <= 10; i++) expect(t.add(addrPort(`127.0.0.${i}`, 1), false, 0), 'loopback').to.not.equal(undefined);
    expect(t.add(addrPort('10.1.2.9', 1), true, 0), 'an edge').to.not.equal(undefined);
    expect(prefixKey(addrPort('10.1.2.200', 1).ip)).to.equal(prefixKey(addrPort('10.1.2.1', 1).ip));
  });

  it('one node ID holds one entry per address family, loopback included: the established one stays', () => {
    const t = new PeerTable({ maxPerHost: 100 });
    const first = t.add(addrPort('127.0.0.1', 1), false, 0)!;
    expect(prove(t, first, 42n)).to.equal(true);
    const sybils: Peer[] = [];
    for (let i = 2; i < 50; i++) sybils.push(t.add(addrPort('127.0.0.1', i), false, 0)!);
    for (const s of sybils) expect(prove(t, s, 42n, 1)).to.equal(false);
    expect(t.size, 'only the first').to.equal(1);
    expect(t.get(sybils[0]!.key)).to.equal(undefined);
    expect(t.add(addrPort('127.0.0.1', 2), false, 2), 'a refused address is not added again soon').to.equal(undefined);
    const v6 = t.add(addrPort('::1', 7), false, 0)!;
    expect(prove(t, v6, 42n), 'the other family has its own entry').to.equal(true);
    expect(prove(t, t.add(addrPort('::1', 8), false, 0)!, 42n)).to.equal(false);
    // when the established entry leaves, the ID is free again
    t.remove(first.key);
    expect(prove(t, t.add(addrPort('127.0.0.3', 1), false, 70_000)!, 42n, 70_000)).to.equal(true);
  });

  it('an edge is always admitted: a non-edge entry of its ID makes way', () => {
    const t = new PeerTable();
    const squatter = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    expect(prove(t, squatter, 9n)).to.equal(true);
    const edge = t.add(addrPort('10.0.0.2', 1), true, 0)!;
    expect(prove(t, edge, 9n)).to.equal(true);
    expect(t.get(squatter.key)).to.equal(undefined);
    expect(prove(t, t.add(addrPort('10.0.0.3', 1), false, 0)!, 9n), 'and later copies are refused').to.equal(false);
  });

  it('a full table admits a newcomer that proves itself in place of the newest peer of the most crowded prefix', () => {
    const t = new PeerTable({ maxPeers: 6, maxNewcomers: 2, maxPerHost: 10, maxPerPrefix: 10 });
    // four Sybils in 10.9.9.0/24 (added at 1..4), two honest peers elsewhere
    const crowd = [1, 2, 3, 4].map((i) => t.add(addrPort(`10.9.9.${i}`, 1), false, i)!);
    crowd.forEach((p, i) => expect(prove(t, p, BigInt(100 + i), 10)).to.equal(true));
    const honest = [t.add(addrPort('10.1.0.1', 1), false, 5)!, t.add(addrPort('10.2.0.1', 1), false, 6)!];
    honest.forEach((p, i) => expect(prove(t, p, BigInt(200 + i), 10)).to.equal(true));
    expect(t.provenCount).to.equal(6);
    const newcomer = t.add(addrPort('10.3.0.1', 1), false, 20);
    expect(newcomer, 'a newcomer slot').to.not.equal(undefined);
    expect(prove(t, newcomer!, 300n, 21)).to.equal(true);
    expect(t.get(crowd[3]!.key), 'the newest of the crowded /24 left').to.equal(undefined);
    expect(crowd.slice(0, 3).every((p) => t.get(p.key) === p)).to.equal(true);
    expect(honest.every((p) => t.get(p.key) === p)).to.equal(true);
    expect(t.provenCount).to.equal(6);
    // a newcomer from the crowded prefix itself is the one refused
    const another = t.add(addrPort('10.9.9.77', 1), false, 30)!;
    expect(prove(t, another, 400n, 31)).to.equal(false);
    expect(t.get(another.key)).to.equal(undefined);
    expect(t.provenCount).to.equal(6);
  });

  it('the crowd counts follow peers that leave: a prefix whose Sybils left is no longer the crowded one', () => {
    const t = new PeerTable({ maxPeers: 4, maxNewcomers: 2, maxPerHost: 10, maxPerPrefix: 10 });
    const crowd = [1, 2, 3].map((i) => t.add(addrPort(`10.9.9.${i}`, 1), false, i)!);
    crowd.forEach((p, i) => expect(prove(t, p, BigInt(100 + i), 5)).to.equal(true));
    expect(prove(t, t.add(addrPort('10.1.0.1', 1), false, 4)!, 200n, 5)).to.equal(true);
    t.remove(crowd[0]!.key);
    t.remove(crowd[1]!.key);
    // one peer left in 10.9.9.0/24: every prefix holds one, so the newest peer makes way
    const newcomer = t.add(addrPort('10.6.0.1', 1), false, 10)!;
    const [a, b] = [t.add(addrPort('10.4.0.1', 1), false, 11)!, t.add(addrPort('10.5.0.1', 1), false, 12)!];
    expect(prove(t, a, 201n, 13) && prove(t, b, 202n, 13)).to.equal(true);
    expect(t.provenCount).to.equal(4);
    expect(prove(t, newcomer, 300n, 20)).to.equal(true);
    expect(t.get(b.key), 'the newest left').to.equal(undefined);
    expect(t.get(crowd[2]!.key), 'the last of the old crowd stays').to.equal(crowd[2]);
    expect(t.provenCount).to.equal(4);
  });

  it('an unproven address draws PINGs only as earned, at most UNPROVEN_PINGS, then is forgotten', () => {
    const t = new PeerTable();
    const spoofed = t.add(addrPort('10.0.0.1', 1), false, 0, 0)!; // added by its PING
    t.pinged(spoofed, 0, 0n, 0n); // that PING earns one
    const c = new Uint8Array(32);
    expect(t.newPeriod(spoofed, 1_000, T)).to.equal('ping');
    t.challenged(spoofed, c, 0);
    expect(t.newPeriod(spoofed, 2_000, T), 'silent: nothing more').to.equal('skip');
    expect(t.newPeriod(spoofed, 3_000, T), 'still within deactivateAfter of its PING').to.equal('forget');
    // one that keeps PINGing gets UNPROVEN_PINGS in all
    const talker = t.add(addrPort('10.0.0.2', 1), false, 0, 0)!;
    let pings = 0;
    for (let now = 0; now < 20_000; now += 1_000) {
      t.pinged(talker, now, 0n, 0n);
      const due = t.newPeriod(talker, now, T);
      if (due === 'forget') break;
      if (due === 'ping') {
        t.challenged(talker, c, 0);
        pings++;
      }
    }
    expect(pings).to.equal(UNPROVEN_PINGS);
    // an address learned from a PONG starts with the whole credit; a proven peer is always pinged
    const learned = t.add(addrPort('10.0.0.3', 1), false, 0)!;
    expect(learned.pingCredit).to.equal(UNPROVEN_PINGS);
    t.proved(learned, key(3), 3n, 0, T);
    for (let i = 0; i < 10; i++) {
      expect(t.newPeriod(learned, i * 1_000, T)).to.equal('ping');
      t.challenged(learned, c, 0);
    }
  });

  it('hasProvenHost: TCP from a host where a peer proved its key', () => {
    const t = new PeerTable();
    const p = t.add(addrPort('10.0.0.1', 1618), false, 0)!;
    expect(t.hasProvenHost(addrPort('10.0.0.1', 40000).ip)).to.equal(false);
    prove(t, p, 5n);
    expect(t.hasProvenHost(addrPort('10.0.0.1', 40000).ip)).to.equal(true);
    expect(t.hasProvenHost(addrPort('10.0.0.2', 40000).ip)).to.equal(false);
    t.remove(p.key);
    expect(t.hasProvenHost(addrPort('10.0.0.1', 40000).ip)).to.equal(false);
  });
});
