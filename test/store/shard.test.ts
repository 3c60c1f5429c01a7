import { expect } from 'chai';
import fc from 'fast-check';
import { Shard, type SlotFields } from '../../lib/store/shard.js';
import { T0 } from './helpers.js';

/**
 * A description of the first broken invariant of `shard`, or undefined: heap
 * order by rank, ranks computed at `ref`, positions, and table lookups
 * (0 in the table is an empty place).
 */
function invariantViolation(shard: Shard): string | undefined {
  for (let i = 0; i < shard.count; i++) {
    const s = shard.heap[i]!;
    if (shard.pos[s] !== i) return `pos[${s}] is ${shard.pos[s]}, heap has it at ${i}`;
    if (i > 0 && shard.rank[shard.heap[(i - 1) >> 1]!]! > shard.rank[s]!) return `heap order broken at ${i}`;
    if (shard.rank[s] !== shard.priorityAt(s, shard.ref)) return `rank of slot ${s} is not its priority at ref`;
    if (shard.find(shard.keyHi[s]!, shard.keyLo[s]!) !== s) return `table does not find slot ${s}`;
  }
  let used = 0;
  for (const t of shard.table) if (t !== 0) used++;
  if (used !== shard.count) return `table holds ${used} keys, count is ${shard.count}`;
  return undefined;
}

type Op =
  | { kind: 'insert'; lo: number; dist: number; time: number }
  | { kind: 'update'; pick: number; dist: number; time: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'rekey'; dt: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  // few distinct low bits: many keys share a home bucket, exercising probing and backward shift
  fc.record({
    kind: fc.constant('insert' as const),
    lo: fc.integer({ min: 0, max: 300 }),
    dist: fc.integer({ min: 0, max: 0xffffffff }),
    time: fc.integer({ min: -1e10, max: 1e10 }),
  }),
  fc.record({
    kind: fc.constant('update' as const),
    pick: fc.nat(),
    dist: fc.integer({ min: 0, max: 0xffffffff }),
    time: fc.integer({ min: -1e10, max: 1e10 }),
  }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('rekey' as const), dt: fc.integer({ min: -1e9, max: 1e11 }) }),
);

function fields(hi: number, lo: number, dist: number, time: number): SlotFields {
  return { keyHi: hi, keyLo: lo, distHi: dist, distLo: (dist ^ 0x5555) >>> 0, time: T0 + time, size: 300, sumHi: lo, sumLo: hi };
}

describe('store/shard', () => {
  it('keeps the heap invariant and agrees with a Map model under any operation sequence', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 50, maxLength: 400 }), (ops) => {
        const shard = new Shard(T0);
        const model = new Map<number, SlotFields>(); // key lo → fields (hi fixed)
        const hi = 0x7a000000;
        for (const op of ops) {
          const keys = [...model.keys()];
          if (op.kind === 'insert') {
            if (model.has(op.lo)) continue;
            const f = fields(hi, op.lo, op.dist, op.time);
            shard.insert(f);
            model.set(op.lo, f);
          } else if (op.kind === 'update' && keys.length > 0) {
            const lo = keys[op.pick % keys.length]!;
            const f = fields(hi, lo, op.dist, op.time);
            shard.update(shard.find(hi, lo), f);
            model.set(lo, f);
          } else if (op.kind === 'remove' && keys.length > 0) {
            const lo = keys[op.pick % keys.length]!;
            shard.remove(shard.find(hi, lo));
            model.delete(lo);
          } else if (op.kind === 'rekey') {
            shard.rekey(shard.ref + op.dt);
          }
          expect(invariantViolation(shard)).to.equal(undefined);
          expect(shard.count).to.equal(model.size);
        }
        for (const [lo, f] of model) {
          const s = shard.find(hi, lo);
          expect(s).to.be.at.least(0);
          expect([shard.distHi[s], shard.distLo[s], shard.time[s]]).to.deep.equal([f.distHi, f.distLo, f.time]);
        }
        // the heap top is an entry of lowest priority at ref
        if (model.size > 0) {
          let lowest = Infinity;
          for (let s = 0; s < shard.count; s++) lowest = Math.min(lowest, shard.priorityAt(s, shard.ref));
          expect(shard.priorityAt(shard.min(), shard.ref)).to.equal(lowest);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('returns -1 for absent keys and stores u64 halves as bigints', () => {
    const shard = new Shard(T0);
    expect(shard.find(1, 2)).to.equal(-1);
    const s = shard.insert(fields(0xff000001, 0xfffffffe, 0xffffffff, 0));
    expect(shard.storeKey(s)).to.equal(0xff000001fffffffen);
    expect(shard.distance(s)).to.equal((0xffffffffn << 32n) | 0xffffaaaan);
    expect(shard.find(0xff000001, 0xfffffffe)).to.equal(s);
    expect(shard.find(0xff000002, 0xfffffffe)).to.equal(-1);
  });
});
