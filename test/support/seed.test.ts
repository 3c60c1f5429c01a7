/** The tests' seeded PRNG: the same seed gives the same stream. */
import { expect } from 'chai';
import { prng } from './seed.js';

describe('test support: seeded PRNG', () => {
  it('replays a stream from its seed, and different seeds differ', () => {
    const a = prng(42);
    const b = prng(42);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).to.deep.equal(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).to.equal(true);
    expect(new Set(xs).size).to.be.greaterThan(95);
    expect(prng(43)()).to.not.equal(prng(42)());
  });
});
