import { expect } from 'chai';
import fc from 'fast-check';
import { storeKey } from '../../lib/records/record.js';
import { contentSum, ownerHi, ownerLo, scanEntry, scannedStoreKey } from '../../lib/store/scan.js';
import { xxhash64 } from '../../lib/crypto/hash.js';
import { concatBytes } from '../../lib/wire/bytes.js';
import { decodeEntry, encodeEntry } from '../../lib/wire/entry.js';
import { makeEntry } from './helpers.js';

function decodes(b: Uint8Array): boolean {
  try {
    decodeEntry(b);
    return true;
  } catch {
    return false;
  }
}

const entryArb = fc
  .record({
    owner: fc.nat(),
    key: fc.string({ maxLength: 40 }),
    value: fc.uint8Array({ maxLength: 300 }),
    time: fc.integer({ min: -1e15, max: 1e15 }),
  })
  .map((s) => encodeEntry(makeEntry(s)));

describe('store/scan', () => {
  it('reads the fields decodeEntry reads', () => {
    fc.assert(
      fc.property(entryArb, (bytes) => {
        const e = decodeEntry(bytes);
        expect(scanEntry(bytes)).to.deep.equal({ time: e.dat.time, keyLen: e.dat.key.length, valueLen: e.dat.value.length });
        const id = new DataView(e.dat.pubKey.buffer, e.dat.pubKey.byteOffset).getBigUint64(0, true);
        expect((BigInt(ownerHi(bytes)) << 32n) | BigInt(ownerLo(bytes))).to.equal(id);
        expect(scannedStoreKey(bytes, e.dat.key.length)).to.equal(storeKey(e.dat.pubKey, e.dat.key));
        const replicas = bytes.subarray(0, 40);
        expect(contentSum(bytes, e.dat.value.length)).to.equal(xxhash64(concatBytes(replicas, e.dat.value)));
      }),
    );
  });

  it('accepts exactly the bytes decodeEntry accepts (mutated, cut and random input)', () => {
    const mutated = fc
      .tuple(entryArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
      .map(([b, edits, cut]) => {
        const out = b.slice(0, b.length - (cut % 3 === 0 ? cut % (b.length + 1) : 0));
        // edits aim at the length fields and time, where decoding can fail
        const hot = [40, 41, 42 + 7, 42 + 6, 194, 195, 196, 197];
        for (const [at, v] of edits) if (out.length > 0) out[(at % 2 ? hot[at % hot.length]! : at) % out.length] = v;
        return out;
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 400 })), (b) => {
        expect(scanEntry(b) !== undefined).to.equal(decodes(b));
      }),
      { numRuns: 2000 },
    );
  });
});
