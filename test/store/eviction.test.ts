/**
 * Capacity is a hard bound: the store's decisions against a brute-force
 * model of docs/protocol.md §9 with multi-entry eviction, over random
 * sizes (empty to the largest record), owners, keys, times and orders. The
 * model takes the exact priorities at `now` (the clock stands still or
 * moves more than REKEY_MS between decisions, so the store's ranks are
 * exact too). For every write it checks the outcome and that what the
 * store evicted is what the rule allows: only entries of the new entry's
 * shard, each of lower priority than the new entry, a lowest-priority
 * prefix of the shard, no more than needed; and after every write used
 * space is within capacity.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { ENTRY_OVERHEAD } from '../../lib/constants.js';
import { REKEY_MS } from '../../lib/store/sharded-index.js';
import { storeKey } from '../../lib/records/record.js';
import { Store } from '../../lib/store/store.js';
import type { Entry } from '../../lib/wire/entry.js';
import { goPriority, makeEntry, manualClock, ownerId } from './helpers.js';

interface ModelEntry {
  e: Entry;
  size: number;
}

// Two shards only (top byte 0x10 or 0x20), so shards fill and evict.
function twoShardKey(pubKey: Uint8Array, key: Uint8Array): bigint {
  const k = storeKey(pubKey, key);
  return ((k & 1n ? 0x10n : 0x20n) << 56n) | (k & ((1n << 56n) - 1n));
}

const sizeOf = (e: Entry) => e.dat.key.length + e.dat.value.length + ENTRY_OVERHEAD;
const VALUE_SIZES = [0, 1, 3, 40, 300, 700, 1100, 1220];

describe('store/eviction: capacity is a hard bound (a model of docs/protocol.md §9)', () => {
  it('decides every write as the model does, evicts only what the rule allows, and never exceeds capacity', async () => {
    const step = fc.record({
      owner: fc.integer({ min: 0, max: 5 }),
      key: fc.integer({ min: 0, max: 40 }),
      value: fc.integer({ min: 0, max: VALUE_SIZES.length - 1 }),
      age: fc.integer({ min: 0, max: 400 * 86_400_000 }), // some entries expire
      replica: fc.integer({ min: 0, max: 1 }),
      tick: fc.oneof(fc.constant(0), fc.integer({ min: REKEY_MS + 1, max: 86_400_000 })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 150 }), fc.integer({ min: 2000, max: 12000 }), async (steps, capacity) => {
        const clock = manualClock();
        const nodeId = ownerId(makeEntry({ owner: 0 }));
        const store = await Store.open({ capacity, nodeId, now: clock.now, cacheCapacity: 4096 });
        const model = new Map<bigint, ModelEntry>();
        let used = 0;
        try {
          for (const s of steps) {
            clock.advance(s.tick);
            const now = clock.now();
            const v = VALUE_SIZES[s.value]!;
            const e = makeEntry({
              owner: s.owner,
              key: `k${s.key}`,
              value: (s.replica ? 'w' : 'v').repeat(v),
              time: now - s.age,
              replicas: [BigInt(s.replica), 0n, 0n, 0n, 0n],
            });
            const sk = twoShardKey(e.dat.pubKey, e.dat.key);
            const prio = (m: Entry) => goPriority(ownerId(m) ^ nodeId, m.dat.time, now);
            const size = sizeOf(e);
            const newPrio = prio(e);
            // the rule
            let expected: string;
            const old = model.get(sk);
            if (old) {
              const o = old.e.dat;
              if (!Buffer.from(o.pubKey).equals(e.dat.pubKey)) expected = 'ERR_PUBKEY_MISMATCH';
              else if (o.time > e.dat.time) expected = 'ERR_OLDER_THAN_STORED';
              else if (o.time === e.dat.time && Buffer.from(o.value).equals(e.dat.value) && old.e.replicas[0] === e.replicas[0])
                expected = 'ERR_DUPLICATE';
              else expected = 'replaced';
            } else expected = 'stored';
            const others = used - (old?.size ?? 0);
            const need = others + size - capacity;
            // entries of the shard the new one may push out: lower priority, not itself
            const shard = [...model].filter(([k]) => k >> 56n === sk >> 56n && k !== sk);
            const lower = shard.filter(([, m]) => prio(m.e) < newPrio);
            const growing = !old || size > old.size;
            if ((expected === 'stored' || expected === 'replaced') && need > 0 && growing) {
              const room = lower.reduce((n, [, m]) => n + m.size, 0);
              if (size > capacity) expected = 'ERR_STORAGE_FULL';
              else if (room < need) {
                // run out of entries (all lower) with a new key: full; an entry at or above the new priority (or the
                // replaced entry itself, ranked at the new priority): insufficient priority
                expected = !old && lower.length === shard.length ? 'ERR_STORAGE_FULL' : 'ERR_INSUFFICIENT_PRIORITY';
              }
            }
            let got: string;
            let evicted: bigint[] = [];
            try {
              const r = await store.put(e, store.lookup(sk)); // stored at twoShardKey
              got = r.outcome;
              evicted = r.evicted ?? [];
            } catch (err) {
              got = (err as { code: string }).code;
            }
            expect(got).to.equal(expected);
            if (evicted.length > 0) {
              const victims = evicted.map((k) => model.get(k)!);
              for (const [i, m] of victims.entries()) {
                expect(m, 'a victim the model holds').to.not.equal(undefined);
                expect(evicted[i]! >> 56n).to.equal(sk >> 56n); // same shard
                expect(prio(m.e)).to.be.below(newPrio);
              }
              // a lowest-priority prefix of the shard (ties may go either way) ...
              const top = Math.max(...victims.map((m) => prio(m.e)));
              for (const [k, m] of shard) if (!evicted.includes(k)) expect(prio(m.e)).to.be.at.least(top);
              // ... and no more than needed: without the last one taken it would not fit
              const freed = victims.reduce((n, m) => n + m.size, 0);
              expect(freed).to.be.at.least(need);
              expect(freed - victims.at(-1)!.size).to.be.below(need);
              for (const k of evicted) {
                used -= model.get(k)!.size;
                model.delete(k);
              }
            }
            if (got === 'stored' || got === 'replaced') {
              if (old) used -= old.size;
              model.set(sk, { e, size });
              used += size;
            }
            expect(store.usedSpace()).to.equal(used);
            expect(store.usedSpace()).to.be.at.most(capacity);
            expect(store.count()).to.equal(model.size);
          }
          // the index holds exactly the model's keys, at the model's times (the heap itself: test/store/shard.test.ts)
          for (const [k, m] of model) expect(store.peek(k)?.time).to.equal(m.e.dat.time);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
