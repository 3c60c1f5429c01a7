import { expect } from 'chai';
import { CACHED_ENTRY_OVERHEAD, ValueCache } from '../../lib/store/cache.js';

describe('store/cache', () => {
  const e = new Uint8Array(100); // encoded entry bytes (the cache does not look inside)
  const cost = 100 + CACHED_ENTRY_OVERHEAD;

  it('drops the least recently used entry past its byte budget', () => {
    const c = new ValueCache(3 * cost);
    for (const k of [1n, 2n, 3n]) c.set(k, e);
    expect(c.get(1n)).to.equal(e); // 1 is now the most recent
    c.set(4n, e);
    expect(c.peek(2n)).to.equal(undefined);
    expect([1n, 3n, 4n].map((k) => c.peek(k) !== undefined)).to.deep.equal([true, true, true]);
    expect(c.size()).to.equal(3 * cost);
    expect(c.count()).to.equal(3);
  });

  it('counts hits and misses, and peek counts neither', () => {
    const c = new ValueCache(10 * cost);
    c.set(1n, e);
    c.get(1n);
    c.get(2n);
    c.peek(1n);
    c.peek(2n);
    expect([c.hits, c.misses]).to.deep.equal([1, 1]);
  });

  it('replaces an entry under the same key and charges it once; never holds what exceeds the budget', () => {
    const c = new ValueCache(2 * cost);
    c.set(1n, e);
    c.set(1n, e);
    expect(c.size()).to.equal(cost);
    c.set(2n, new Uint8Array(10 * cost));
    expect(c.peek(2n)).to.equal(undefined);
    c.delete(1n);
    expect([c.size(), c.count()]).to.deep.equal([0, 0]);
  });

  it('stays within budget over many inserts with a working set that moves', () => {
    const c = new ValueCache(50 * cost);
    for (let i = 0; i < 10_000; i++) {
      c.set(BigInt(i), e);
      if (i > 10) c.get(BigInt(i - 10));
      expect(c.size()).to.be.at.most(50 * cost);
    }
    expect(c.count()).to.equal(50);
    expect(c.peek(9_999n)).to.equal(e);
  });
});
