/**
 * The store's decisions against a brute-force model of godave's write()
 * (store/store.go, v0.0.51) with a consistent clock: the model takes the
 * exact lowest priority of the shard at `now`. When the clock stands still,
 * or moves more than REKEY_MS between decisions, the store must decide the
 * same way and evict an entry of that lowest priority.
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

describe('store/eviction against a model of godave', () => {
  it('makes the same decision for every write, and evicts a lowest-priority entry', async () => {
    const step = fc.record({
      owner: fc.integer({ min: 0, max: 5 }),
      key: fc.integer({ min: 0, max: 40 }),
      value: fc.integer({ min: 0, max: 3 }),
      age: fc.integer({ min: 0, max: 400 * 86_400_000 }), // some entries expire
      replica: fc.integer({ min: 0, max: 1 }),
      tick: fc.oneof(fc.constant(0), fc.integer({ min: REKEY_MS + 1, max: 86_400_000 })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 150 }), fc.integer({ min: 3, max: 12 }), async (steps, slots) => {
        const clock = manualClock();
        const nodeId = ownerId(makeEntry({ owner: 0 }));
        const capacity = slots * (ENTRY_OVERHEAD + 4);
        const store = await Store.open({ capacity, nodeId, now: clock.now, cacheCapacity: 4096 }, { storeKey: twoShardKey });
        const model = new Map<bigint, ModelEntry>();
        let used = 0;
        try {
          for (const s of steps) {
            clock.advance(s.tick);
            const now = clock.now();
            const e = makeEntry({
              owner: s.owner,
              key: `k${s.key}`,
              value: 'v'.repeat(s.value),
              time: now - s.age,
              replicas: [BigInt(s.replica), 0n, 0n, 0n, 0n],
            });
            const sk = twoShardKey(e.dat.pubKey, e.dat.key);
            const prio = (m: Entry) => goPriority(ownerId(m) ^ nodeId, m.dat.time, now);
            // the model: godave's write() with the exact priority at `now`
            let expected: string;
            let lowestPrio = 0;
            const old = model.get(sk);
            if (old) {
              const o = old.e.dat;
              if (!Buffer.from(o.pubKey).equals(e.dat.pubKey)) expected = 'ERR_PUBKEY_MISMATCH';
              else if (o.time > e.dat.time) expected = 'ERR_OLDER_THAN_STORED';
              else if (o.time === e.dat.time && Buffer.from(o.value).equals(e.dat.value) && old.e.replicas[0] === e.replicas[0])
                expected = 'ERR_DUPLICATE';
              else expected = 'replaced';
            } else if (used + sizeOf(e) <= capacity) {
              expected = 'stored';
            } else {
              const shard = [...model].filter(([k]) => k >> 56n === sk >> 56n);
              if (shard.length === 0) expected = 'ERR_STORAGE_FULL';
              else {
                lowestPrio = Math.min(...shard.map(([, m]) => prio(m.e)));
                expected = lowestPrio < prio(e) ? 'evict' : 'ERR_INSUFFICIENT_PRIORITY';
              }
            }
            let got: string;
            let evicted: bigint | undefined;
            try {
              const r = await store.put(e);
              got = r.evicted !== undefined ? 'evict' : r.outcome;
              evicted = r.evicted;
            } catch (err) {
              got = (err as { code: string }).code;
            }
            expect(got).to.equal(expected);
            if (evicted !== undefined) {
              const victim = model.get(evicted)!;
              expect(prio(victim.e)).to.equal(lowestPrio); // a lowest one (ties may go either way)
              model.delete(evicted);
              used -= victim.size;
            }
            if (got === 'stored' || got === 'evict' || got === 'replaced') {
              if (old) used -= old.size;
              model.set(sk, { e, size: sizeOf(e) });
              used += sizeOf(e);
            }
            expect(store.usedSpace()).to.equal(used);
            expect(store.count()).to.equal(model.size);
          }
          for (const shard of store.shardsForTest()) expect(shard.invariantViolation()).to.equal(undefined);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
