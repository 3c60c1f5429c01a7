/** node/replication/rules.ts: replica choice and leader, pure (docs/protocol.md §10, §12). */
import { expect } from 'chai';
import { chooseReplicas, leaderOf, sameReplicas } from '../../../lib/node/replication/rules.js';


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
});
