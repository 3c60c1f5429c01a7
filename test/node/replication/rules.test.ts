/** node/replication/rules.ts: replica choice, leader, senders and the list kept, pure (docs/protocol.md §10, §12). */
import { expect } from 'chai';
import { SENDERS, chooseReplicas, isSender, keptReplicas, leaderOf, missingReplicas, sameReplicas } from '../../../lib/node/replication/rules.js';


describe('node/replication/rules', () => {
  it('chooses the FANOUT closest IDs by XOR, skipping 0 and duplicates, padding with 0', () => {
    expect(chooseReplicas(0b0000n, [0b0100n, 0n, 0b0001n, 0b0001n, 0b0010n])).to.deep.equal([0b0001n, 0b0010n, 0b0100n, 0n, 0n]);
    const ids = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n];
    expect(chooseReplicas(8n, ids)).to.deep.equal([8n, 1n, 2n, 3n, 4n]);
  });
  it('the leader is the largest ID of the replica set', () => {
    expect(leaderOf([3n, 9n, 1n, 0n, 0n])).to.equal(9n);
    expect(leaderOf([0n, 0n, 0n, 0n, 0n])).to.equal(0n);
    expect(sameReplicas([1n, 2n], [1n, 2n])).to.equal(true);
    expect(sameReplicas([1n, 2n], [2n, 1n])).to.equal(false);
  });
  it('a replica is missing when it is on the new list, not on the old one, and not us', () => {
    expect(missingReplicas(1n, [1n, 2n, 3n, 0n, 0n], [1n, 2n, 4n, 5n, 0n])).to.deep.equal([4n, 5n]);
    expect(missingReplicas(4n, [1n, 2n, 3n], [1n, 4n, 3n])).to.deep.equal([]); // we have it
    // a 0 on the old list (a replica not known to hold it) names nobody: the one in its place is missing
    expect(missingReplicas(1n, [1n, 0n, 3n], [1n, 2n, 3n])).to.deep.equal([2n]);
  });
  describe('senders: the SENDERS live holders closest to the owner send', () => {
    const owner = 0n;
    const all = () => true;
    it(`is ${SENDERS} holders: the two closest live ones of the old list and ourselves`, () => {
      expect(SENDERS).to.equal(2);
      const old = [1n, 2n, 3n, 4n, 5n];
      expect(isSender(owner, 1n, old, all)).to.equal(true);
      expect(isSender(owner, 2n, old, all)).to.equal(true);
      expect(isSender(owner, 3n, old, all)).to.equal(false);
      expect(isSender(owner, 5n, old, all)).to.equal(false);
    });
    it('needs no leader: when the closest holders left, the next ones send (godave: nobody, once the largest ID left)', () => {
      const old = [1n, 2n, 3n, 4n, 5n];
      const gone = new Set([1n, 5n]); // 5 was godave's leader
      const alive = (id: bigint) => !gone.has(id);
      expect([2n, 3n, 4n].filter((h) => isSender(owner, h, old, alive))).to.deep.equal([2n, 3n]);
      expect(leaderOf(old)).to.equal(5n);
    });
    it('a holder outside the new closest set sends when too few old replicas are left', () => {
      // a reader's cached copy: its list names replicas that all left
      expect(isSender(owner, 99n, [1n, 2n, 3n, 4n, 5n], () => false)).to.equal(true);
      expect(isSender(owner, 99n, [0n, 0n, 0n, 0n, 0n], all)).to.equal(true);
      expect(isSender(owner, 99n, [1n, 2n, 0n, 0n, 0n], all)).to.equal(false);
    });
    it('is deterministic and bounded: for any views that agree, exactly min(SENDERS, holders) holders send', () => {
      let x = 7n;
      const next = () => (x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n));
      for (let t = 0; t < 200; t++) {
        const own = next();
        const old = [next(), next(), next(), next(), next()];
        const gone = new Set(old.filter(() => next() % 3n === 0n));
        const alive = (id: bigint) => !gone.has(id);
        const holders = old.filter(alive);
        const senders = holders.filter((h) => isSender(own, h, old, alive));
        expect(senders).to.have.length(Math.min(SENDERS, holders.length));
        // the closest ones
        const byDistance = [...holders].sort((a, b) => ((own ^ a) < (own ^ b) ? -1 : 1));
        expect(new Set(senders)).to.deep.equal(new Set(byDistance.slice(0, SENDERS)));
      }
    });
  });
  it('keeps the new list with every missing replica it did not reach as 0, so a later pass sees it again', () => {
    const old = [1n, 2n, 3n, 4n, 5n];
    const next = [1n, 2n, 3n, 6n, 7n];
    expect(keptReplicas(2n, old, next, new Set())).to.deep.equal([1n, 2n, 3n, 0n, 0n]);
    expect(keptReplicas(1n, old, next, new Set([6n]))).to.deep.equal([1n, 2n, 3n, 6n, 0n]);
    expect(keptReplicas(1n, old, next, new Set([6n, 7n]))).to.deep.equal(next);
    // we are on the new list but not the old one (a reader's copy): we hold it
    expect(keptReplicas(7n, old, next, new Set())).to.deep.equal([1n, 2n, 3n, 0n, 7n]);
    // padding stays padding
    expect(keptReplicas(1n, [1n, 0n, 0n, 0n, 0n], [1n, 2n, 0n, 0n, 0n], new Set([2n]))).to.deep.equal([1n, 2n, 0n, 0n, 0n]);
    // a slot kept as 0 is missing again on the next pass
    expect(missingReplicas(2n, keptReplicas(2n, old, next, new Set()), next)).to.deep.equal([6n, 7n]);
  });
});
