/** The peer table's pure rules (docs/protocol.md §7) and its limits. */
import { expect } from 'chai';
import { addrPort } from '../../lib/wire/address.js';
import { PONG_BUDGET, type Peer, PeerTable, activeById, isActive, sortByDistance } from '../../lib/peers/table.js';
import { hostKey, isDialable, isLoopback } from '../../lib/peers/address.js';

const T = { activateAfterMs: 5_000, deactivateAfterMs: 3_000, dropAfterMs: 12_000 };
/** A public key for proved(); the tests set peer state only through the table's methods. */
const KEY = new Uint8Array(32).fill(1);
/** Proves `p` with `id` at 5 001 ms: a peer added at 0 is active then. */
const makeActive = (t: PeerTable, p: Peer, id: bigint) => expect(t.proved(p, KEY, id, 5_001, T)).to.equal(true);

describe('peers/table', () => {
  it('a new peer is inactive until ACTIVATE_AFTER has passed and it solved recently', () => {
    const t = new PeerTable();
    const p = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    expect(p.solved, 'solved starts at added').to.equal(0);
    t.proved(p, KEY, 1n, 4_000, T);
    expect(p.solved).to.equal(4_000);
    expect(isActive(p, 4_500, T)).to.equal(false);
    t.proved(p, KEY, 1n, 5_000, T);
    expect(isActive(p, 5_000, T)).to.equal(false); // added exactly 5 s ago is not "more than"
    expect(isActive(p, 5_001, T)).to.equal(true);
    expect(isActive(p, 5_000 + 3_000, T)).to.equal(false); // solve 3 s old
  });

  it('an edge is active while its solve is fresh, from the start, and is never removed', () => {
    const t = new PeerTable();
    const e = t.add(addrPort('10.0.0.1', 1), true, 0)!;
    expect(isActive(e, 100, T)).to.equal(true);
    t.prune(1_000_000, T);
    expect(t.get(e.key)).to.equal(e);
    expect(e.active).to.equal(false);
  });

  it('prune removes a non-edge peer whose last solve is DROP_AFTER old', () => {
    const t = new PeerTable();
    const p = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    expect(t.prune(11_999, T)).to.have.length(0);
    expect(t.prune(12_000, T).map((x) => x.key)).to.deep.equal([p.key]);
    expect(t.size).to.equal(0);
  });

  it('prune refreshes every active flag', () => {
    const t = new PeerTable();
    const p = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    t.proved(p, KEY, 1n, 6_000, T);
    t.prune(6_001, T);
    expect(p.active).to.equal(true);
    expect(t.activeCount()).to.equal(1);
    t.prune(9_000, T);
    expect(p.active).to.equal(false);
  });

  it('caps peers per IPv4 address and per IPv6 /64, but not loopback or edges', () => {
    const t = new PeerTable({ maxPerHost: 2, maxPeers: 100 });
    expect(t.add(addrPort('10.0.0.1', 1), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('10.0.0.1', 2), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('10.0.0.1', 3), false, 0)).to.equal(undefined);
    expect(t.add(addrPort('10.0.0.2', 3), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('10.0.0.1', 4), true, 0), 'edges come from the operator').to.not.equal(undefined);
    expect(t.add(addrPort('2001:db8::1', 1), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('2001:db8::ffff:2', 1), false, 0)).to.not.equal(undefined);
    expect(t.add(addrPort('2001:db8::3', 1), false, 0), 'same /64').to.equal(undefined);
    expect(t.add(addrPort('2001:db8:0:1::3', 1), false, 0), 'another /64').to.not.equal(undefined);
    for (let i = 1; i <= 5; i++) expect(t.add(addrPort('127.0.0.1', i), false, 0)).to.not.equal(undefined);
    // removing frees the slot
    t.remove(t.add(addrPort('10.0.0.1', 1), false, 0)!.key);
    expect(t.add(addrPort('10.0.0.1', 3), false, 0)).to.not.equal(undefined);
  });

  it('caps the table at maxPeers proven peers plus maxNewcomers unproven ones', () => {
    const t = new PeerTable({ maxPeers: 3, maxNewcomers: 1 });
    for (let i = 0; i < 3; i++) t.proved(t.add(addrPort(`10.0.${i}.1`, 1), false, 0)!, KEY, BigInt(i + 1), 0, T);
    const newcomer = t.add(addrPort('10.0.9.1', 1), false, 0);
    expect(newcomer, 'a newcomer slot').to.not.equal(undefined);
    const next = t.add(addrPort('10.0.8.1', 1), false, 1);
    expect(next, 'takes the place of the oldest unproven').to.not.equal(undefined);
    expect(t.get(newcomer!.key)).to.equal(undefined);
    expect(t.size).to.equal(4);
  });

  it('a full table makes room by evicting the oldest non-edge peer that has not proved its key', () => {
    const t = new PeerTable({ maxPeers: 2, maxNewcomers: 1 });
    const edge = t.add(addrPort('10.0.0.1', 1), true, 0)!;
    const proved = t.add(addrPort('10.0.0.2', 1), false, 1)!;
    const spoofA = t.add(addrPort('10.0.0.3', 1), false, 2)!;
    const spoofB = t.add(addrPort('10.0.0.4', 1), false, 3)!;
    t.proved(proved, KEY, 42n, 1, T);
    const newcomer = t.add(addrPort('10.0.0.5', 1), false, 4);
    expect(newcomer).to.not.equal(undefined);
    expect(t.size, 'the edge, and 3 non-edge peers: maxPeers + maxNewcomers').to.equal(4);
    expect(t.get(spoofA.key), 'the oldest unproven peer').to.equal(undefined);
    expect(t.get(spoofB.key)).to.equal(spoofB);
    expect(t.get(edge.key)).to.equal(edge);
    expect(t.get(proved.key)).to.equal(proved);
    t.proved(spoofB, KEY, 7n, 5, T); // it proves its key after all: the newcomer is next in line
    expect(t.add(addrPort('10.0.0.6', 1), false, 5)).to.not.equal(undefined);
    expect(t.get(newcomer!.key)).to.equal(undefined);
    expect(t.get(spoofB.key)).to.equal(spoofB);
    // per-host cap still applies before any eviction
    const capped = new PeerTable({ maxPeers: 1, maxNewcomers: 1, maxPerHost: 1 });
    const first = capped.add(addrPort('10.0.0.7', 1), false, 0)!;
    capped.add(addrPort('10.0.0.8', 1), false, 0);
    expect(capped.add(addrPort('10.0.0.7', 2), false, 0)).to.equal(undefined);
    expect(capped.get(first.key)).to.equal(first);
  });

  it('adding a known address returns the same peer; an edge replaces a non-edge', () => {
    const t = new PeerTable();
    const a = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    expect(t.add(addrPort('::ffff:10.0.0.1', 1), false, 5)).to.equal(a);
    const e = t.add(addrPort('10.0.0.1', 1), true, 5)!;
    expect(e.edge).to.equal(true);
    expect(t.size).to.equal(1);
  });

  it('randomActive returns distinct active peers, at most n, never the excluded one', () => {
    const t = new PeerTable({ maxPerHost: 100 });
    const peers: Peer[] = [];
    for (let i = 0; i < 20; i++) {
      const p = t.add(addrPort('10.0.0.1', i + 1), false, 0)!;
      if (i < 15) makeActive(t, p, BigInt(i + 1));
      peers.push(p);
    }
    for (let round = 0; round < 50; round++) {
      const s = t.randomActive(12, peers[0]!.key);
      expect(s).to.have.length(12);
      expect(new Set(s.map((p) => p.key)).size).to.equal(12);
      expect(s.every((p) => p.active && p !== peers[0])).to.equal(true);
    }
    expect(t.randomActive(12, null).length).to.equal(12);
    expect(t.randomActive(100, null).length).to.equal(15);
  });

  it('closestActive sorts by XOR distance and skips ID 0', () => {
    const t = new PeerTable({ maxPerHost: 100 });
    const ids = [0n, 0b1000n, 0b0001n, 0b0110n, 0b0011n];
    ids.forEach((id, i) => {
      makeActive(t, t.add(addrPort('10.0.0.1', i + 1), false, 0)!, id);
    });
    expect(t.closestActive(0b0010n, 3).map((p) => p.id)).to.deep.equal([0b0011n, 0b0001n, 0b0110n]);
    expect(sortByDistance([5n, 1n, 7n], 0n, (x) => x)).to.deep.equal([1n, 5n, 7n]);
  });

  it('closestActive counts a node known under two addresses once, at the one seen last', () => {
    const t = new PeerTable({ maxPerHost: 100 });
    const add = (port: number, id: bigint, lastSeen: number) => {
      const p = t.add(addrPort('10.0.0.1', port), false, 0)!;
      makeActive(t, p, id);
      t.pinged(p, lastSeen, 0n, 0n);
      return p;
    };
    add(1, 0b0011n, 100);
    const fresh = add(2, 0b0011n, 200);
    add(3, 0b0011n, 150);
    add(4, 0b0001n, 100);
    add(5, 0b0110n, 100);
    const got = t.closestActive(0b0010n, 3);
    expect(got.map((p) => p.id)).to.deep.equal([0b0011n, 0b0001n, 0b0110n]);
    expect(got[0]).to.equal(fresh);
  });
});

describe('peers/table: state changes', () => {
  it('a Peer is read-only outside the table: its state changes only through table methods', () => {
    const t = new PeerTable();
    const p = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    const writeFromOutside = (peer: Peer) => {
      // @ts-expect-error the table owns `active` (tsc fails this file if Peer's fields become writable)
      peer.active = true;
      // @ts-expect-error the table owns `getBudget`
      peer.getBudget = 100;
    };
    expect(writeFromOutside).to.be.a('function'); // never called: the check is the compiler's
    expect([p.active, p.getBudget]).to.deep.equal([false, 0]);
  });

  it('proved() learns the key once, refreshes solved and lastSeen, and reports the step to active', () => {
    const t = new PeerTable();
    const p = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    const key = new Uint8Array(32).fill(1);
    expect(t.proved(p, key, 7n, 4_000, T), 'not active before ACTIVATE_AFTER').to.equal(false);
    expect(p.id).to.equal(7n);
    expect(t.proved(p, new Uint8Array(32).fill(2), 8n, 5_001, T)).to.equal(true);
    expect(p.id, 'a proved key is kept').to.equal(7n);
    expect(p.pubKey).to.deep.equal(key);
    expect([p.solved, p.lastSeen, p.active]).to.deep.equal([5_001, 5_001, true]);
    expect(t.proved(p, key, 7n, 5_002, T), 'already active').to.equal(false);
  });

  it('budgets: challenged() refills, takePong/takeGetAnswer draw until spent; a challenge is taken once', () => {
    const t = new PeerTable();
    const p = t.add(addrPort('10.0.0.1', 1), false, 0)!;
    expect(t.takeGetAnswer(p), 'no GET answers before the first PING period').to.equal(false);
    const c = new Uint8Array(32).fill(3);
    t.proved(p, KEY, 1n, 0, T);
    expect(t.newPeriod(p, 0, T)).to.equal('ping');
    t.challenged(p, c, 2);
    expect([t.takeGetAnswer(p), t.takeGetAnswer(p), t.takeGetAnswer(p)]).to.deep.equal([true, true, false]);
    const pongs = Array.from({ length: PONG_BUDGET + 1 }, () => t.takePong(p));
    expect(pongs.filter(Boolean)).to.have.length(PONG_BUDGET);
    expect(t.takeChallenge(p)).to.equal(c);
    expect(t.takeChallenge(p)).to.equal(null);
    t.pinged(p, 9, 10n, 20n);
    expect([p.lastSeen, p.usedSpace, p.capacity]).to.deep.equal([9, 10n, 20n]);
  });

  it('activeById keeps one peer per ID, the one seen most recently, and skips inactive peers and ID 0', () => {
    const t = new PeerTable({ maxPerHost: 100 });
    const key = new Uint8Array(32);
    const add = (port: number, id: bigint, seen: number) => {
      const p = t.add(addrPort('10.0.0.1', port), false, 0)!;
      t.proved(p, key, id, 10_000, T);
      t.pinged(p, seen, 0n, 0n);
      return p;
    };
    add(1, 5n, 300);
    const recent = add(2, 5n, 400); // seen after the first: wins whatever the table order
    add(3, 5n, 100);
    add(4, 0n, 500);
    const idle = t.add(addrPort('10.0.0.1', 5), false, 0)!;
    t.proved(idle, key, 6n, 7_000, T); // its last solve is 3 001 ms old at the prune: inactive
    t.prune(10_001, T);
    expect(idle.active).to.equal(false);
    const byId = activeById(t.all());
    expect([...byId.keys()]).to.deep.equal([5n]);
    expect(byId.get(5n)).to.equal(recent);
    expect(t.activeById()).to.deep.equal(byId);
  });
});

describe('peers/address', () => {
  it('isDialable refuses unspecified, multicast, broadcast and port 0', () => {
    for (const [ip, port] of [
      ['0.0.0.0', 1],
      ['0.1.2.3', 1],
      ['::', 1],
      ['224.0.0.1', 1],
      ['239.255.255.250', 1],
      ['255.255.255.255', 1],
      ['ff02::1', 1],
      ['10.0.0.1', 0],
    ] as const) {
      expect(isDialable(addrPort(ip, port)), `${ip}:${port}`).to.equal(false);
    }
    for (const ip of ['10.0.0.1', '127.0.0.1', '::1', '2001:db8::1', '8.8.8.8']) {
      expect(isDialable(addrPort(ip, 1618)), ip).to.equal(true);
    }
  });

  it('hostKey is the IPv4 address or the IPv6 /64; isLoopback knows both families', () => {
    expect(hostKey(addrPort('1.2.3.4', 1).ip)).to.not.equal(hostKey(addrPort('1.2.3.5', 1).ip));
    expect(hostKey(addrPort('2001:db8::1', 1).ip)).to.equal(hostKey(addrPort('2001:db8::2', 1).ip));
    expect(isLoopback(addrPort('127.9.9.9', 1).ip)).to.equal(true);
    expect(isLoopback(addrPort('::1', 1).ip)).to.equal(true);
    expect(isLoopback(addrPort('::2', 1).ip)).to.equal(false);
  });
});
