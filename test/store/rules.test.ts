import { expect } from 'chai';
import fc from 'fast-check';
import { TTL_MS } from '../../lib/constants.js';
import { admission, distanceWeight, priority, replaceDecision } from '../../lib/store/rules.js';
import { goPriority, T0 } from './helpers.js';

const split = (d: bigint): [number, number] => [Number(d >> 32n), Number(d & 0xffffffffn)];

describe('store/rules', () => {
  describe('priority', () => {
    it('is (1 - distance/2^64) x seconds left, as godave computes it', () => {
      fc.assert(
        fc.property(fc.bigInt(0n, (1n << 64n) - 1n), fc.integer({ min: -TTL_MS, max: TTL_MS }), (d, offset) => {
          const now = T0 + offset;
          expect(priority(distanceWeight(...split(d)), T0, now)).to.equal(goPriority(d, T0, now));
        }),
      );
    });
    it('is 0 once expired and never negative', () => {
      expect(priority(1, T0, T0 + TTL_MS)).to.equal(0);
      expect(priority(1, T0, T0 + TTL_MS + 1)).to.equal(0);
      expect(priority(0.5, T0, T0)).to.equal(0.5 * (TTL_MS / 1000));
    });
    it('gives weight 1 at distance 0 and 0 at the largest distance (float rounding, as Go)', () => {
      expect(distanceWeight(0, 0)).to.equal(1);
      expect(distanceWeight(0xffffffff, 0xffffffff)).to.equal(0);
    });
  });

  describe('replaceDecision', () => {
    const stored = { samePubKey: true, time: 100, sameContent: false };
    it('refuses another owner first', () => {
      expect(replaceDecision({ ...stored, samePubKey: false, time: 200 }, 100)).to.equal('ERR_PUBKEY_MISMATCH');
    });
    it('refuses an entry older than the stored one', () => {
      expect(replaceDecision(stored, 99)).to.equal('ERR_OLDER_THAN_STORED');
    });
    it('refuses the same time, value and replicas as a duplicate', () => {
      expect(replaceDecision({ ...stored, sameContent: true }, 100)).to.equal('ERR_DUPLICATE');
    });
    it('replaces on the same time with other content, or a newer time', () => {
      expect(replaceDecision(stored, 100)).to.equal(undefined);
      expect(replaceDecision({ ...stored, sameContent: true }, 101)).to.equal(undefined);
    });
  });

  describe('admission', () => {
    const base = { used: 0, size: 300, capacity: 1000, shardCount: 1, lowestPriority: 5, newPriority: 6 };
    it('fits when used + size <= capacity', () => {
      expect(admission({ ...base, used: 700 })).to.equal('fit');
    });
    it('evicts when over capacity and the shard lowest is strictly below the new priority', () => {
      expect(admission({ ...base, used: 701 })).to.equal('evict');
      expect(admission({ ...base, used: 701, lowestPriority: 6 })).to.equal('ERR_INSUFFICIENT_PRIORITY');
    });
    it('refuses with storage full when the shard is empty', () => {
      expect(admission({ ...base, used: 701, shardCount: 0 })).to.equal('ERR_STORAGE_FULL');
    });
  });
});
