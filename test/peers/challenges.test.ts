/** Storage-challenge bookkeeping (docs/trust.md): bounds, due times, deadlines, verdicts. */
import { expect } from 'chai';
import { type Challenge, ChallengeBook, judge } from '../../lib/peers/challenges.js';

const bytes = (s: string) => new TextEncoder().encode(s);
function ch(peer: string, id: string, due: number, time = 1_000): Challenge {
  return { peer, id, owner: bytes('o'), key: bytes(id), time, due };
}

describe('peers/challenges', () => {
  it('a challenge is not asked before it is due, and at most one per peer per round', () => {
    const b = new ChallengeBook();
    b.remember(ch('p1', 'k1', 100));
    b.remember(ch('p1', 'k2', 50));
    b.remember(ch('p2', 'k1', 300));
    expect(b.take(49, 5)).to.deep.equal([]);
    const t = b.take(100, 5);
    expect(t.map((c) => [c.peer, c.id])).to.deep.equal([['p1', 'k2']]);
    expect(b.size).to.equal(2);
  });

  it('takes up to maxPeers peers, earliest due first, and none with a challenge in flight', () => {
    const b = new ChallengeBook();
    for (let i = 0; i < 8; i++) b.remember(ch(`p${i}`, 'k', 100 - i));
    const t = b.take(100, 5);
    expect(t.map((c) => c.peer)).to.deep.equal(['p7', 'p6', 'p5', 'p4', 'p3']);
    b.start(t[0]!, 100, 400);
    b.remember(ch('p7', 'k9', 0));
    expect(b.take(100, 5).map((c) => c.peer), 'p7 is busy').to.deep.equal(['p2', 'p1', 'p0']);
  });

  it('is bounded per peer and in all; the same record is not pending twice for a peer', () => {
    const b = new ChallengeBook({ perPeer: 2, total: 3 });
    expect(b.remember(ch('p1', 'a', 0))).to.equal(true);
    expect(b.remember(ch('p1', 'a', 5)), 'duplicate').to.equal(false);
    expect(b.remember(ch('p1', 'b', 0))).to.equal(true);
    expect(b.remember(ch('p1', 'c', 0)), 'per peer').to.equal(false);
    expect(b.remember(ch('p2', 'a', 0))).to.equal(true);
    expect(b.remember(ch('p3', 'a', 0)), 'in all').to.equal(false);
    expect(b.size).to.equal(3);
    // a challenge in flight still counts until it is settled
    const [c] = b.take(0, 1);
    b.start(c!, 0, 10);
    expect(b.size).to.equal(3);
    expect(b.remember(ch('p3', 'a', 0))).to.equal(false);
    b.forget('p2');
    expect(b.size).to.equal(2);
    expect(b.remember(ch('p3', 'a', 0))).to.equal(true);
  });

  it('an answer settles its challenge once; silence past the deadline expires it', () => {
    const b = new ChallengeBook();
    b.remember(ch('p1', 'a', 0));
    b.remember(ch('p2', 'b', 0));
    const [c1, c2] = b.take(0, 5);
    b.start(c1!, 0, 250);
    b.start(c2!, 0, 400);
    expect(b.inFlight('p1', 'b')).to.equal(undefined);
    expect(b.settle('p1', 'a')?.deadline).to.equal(250);
    expect(b.settle('p1', 'a'), 'once').to.equal(undefined);
    expect(b.expired(399)).to.deep.equal([]);
    expect(b.expired(400).map((f) => f.peer)).to.deep.equal(['p2']);
    expect(b.size).to.equal(0);
  });

  it('judges: the record sent or a newer one of the same owner and key passes; anything else fails', () => {
    const c = { time: 1_000 };
    expect(judge(c, { kind: 'record', verified: true, time: 1_000 })).to.equal(true);
    expect(judge(c, { kind: 'record', verified: true, time: 2_000 }), 'newer').to.equal(true);
    expect(judge(c, { kind: 'record', verified: true, time: 999 }), 'older').to.equal(false);
    expect(judge(c, { kind: 'record', verified: false, time: 1_000 }), 'fails verification').to.equal(false);
    expect(judge(c, { kind: 'not-found' })).to.equal(false);
  });
});
