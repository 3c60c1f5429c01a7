/**
 * godave's backup file (docs/protocol.md §14) against the godave v0.0.51 vector
 * test/vectors/godave-v0.0.51-backup-10.bin (see test/vectors/SOURCE.md),
 * and the reader's behaviour on torn and corrupted files.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import {
  BackupReader,
  backupRecord,
  readBackup,
  readBackupStream,
  writeBackup,
  type BackupEvent,
} from '../../lib/store/backup.js';
import { publicKeyFromSeed } from '../../lib/crypto/ed25519.js';
import { verifyDat } from '../../lib/records/record.js';
import { isDaveError } from '../../lib/errors.js';
import { backup10 } from '../vectors.js';
import { layoutOf, withCorruptPrefixes } from './backup-fixtures.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out = [];
  for (let o = 0; o < bytes.length; o += size) out.push(bytes.subarray(o, o + size));
  return out;
}

function streamEvents(chunks: Uint8Array[]): BackupEvent[] {
  const reader = new BackupReader();
  const events = chunks.flatMap((c) => reader.push(c));
  return [...events, ...reader.end()];
}

describe('store/backup', () => {
  const records = layoutOf(backup10);

  it('reads the 10-record godave vector with every field as docs/protocol.md §14 describes', () => {
    const { entries, skipped, repaired } = readBackup(backup10);
    expect(skipped).to.deep.equal([]);
    expect(repaired).to.deep.equal([]);
    expect(entries).to.have.length(10);
    entries.forEach((e, i) => {
      expect(e.dat.key).to.deep.equal(utf8(`key-${i}`));
      expect(e.dat.value).to.deep.equal(utf8(`value-${i}`));
      expect(e.dat.pubKey).to.deep.equal(publicKeyFromSeed(new Uint8Array(32).fill(21 + (i % 5))));
      expect(e.dat.time).to.equal(1732000000000 + i);
      expect(e.replicas).to.deep.equal([BigInt(i), 2n, 3n, 4n, 5n]);
    });
  });

  it('reads records that all verify (signature and proof of work)', () => {
    for (const e of readBackup(backup10).entries) verifyDat(e.dat, { now: 1732000000000 + 10 });
  });

  it('writes back the vector byte for byte', () => {
    expect(writeBackup(readBackup(backup10).entries)).to.deep.equal(backup10);
    expect(backupRecord(readBackup(backup10).entries[0]!)).to.deep.equal(backup10.subarray(0, 2 + records[0]!.length));
  });

  it('reads and writes an empty file', () => {
    expect(readBackup(new Uint8Array(0))).to.deep.equal({ entries: [], skipped: [], repaired: [] });
    expect(writeBackup([])).to.deep.equal(new Uint8Array(0));
  });

  it('reports a torn tail and keeps the records before it', () => {
    const last = records[9]!;
    const torn = backup10.subarray(0, backup10.length - 50);
    const { entries, skipped } = readBackup(torn);
    expect(entries.map((e) => e.dat.time)).to.deep.equal([...Array(9).keys()].map((i) => 1732000000000 + i));
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ offset: last.offset, length: torn.length - last.offset, code: 'ERR_TRUNCATED' });
  });

  it('reports a tail of one byte (a torn length prefix)', () => {
    const torn = Uint8Array.from([...backup10, 7]);
    const { entries, skipped } = readBackup(torn);
    expect(entries).to.have.length(10);
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ offset: backup10.length, length: 1, code: 'ERR_TRUNCATED' });
  });

  it("recovers every record of godave's rewrite that writes 1424 as every length, and reports each", () => {
    const corrupt = withCorruptPrefixes(backup10);
    const { entries, skipped, repaired } = readBackup(corrupt);
    expect(skipped).to.deep.equal([]);
    expect(writeBackup(entries)).to.deep.equal(backup10);
    expect(repaired).to.deep.equal(records.map((r) => ({ offset: r.offset, declared: 1424, actual: r.length })));
  });

  it('reports a 1424-prefixed file with a torn tail, recovering the records before it', () => {
    const corrupt = withCorruptPrefixes(backup10).subarray(0, backup10.length - 3);
    const { entries, skipped, repaired } = readBackup(corrupt);
    expect(entries).to.have.length(9);
    expect(repaired).to.have.length(9);
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ offset: records[9]!.offset, code: 'ERR_TRUNCATED' });
  });

  it('skips a record whose body does not decode and resumes at the next one', () => {
    const bad = Uint8Array.from(backup10);
    const r3 = records[3]!;
    bad[r3.offset + 2 + 40] = 0; // the Dat length: zero is impossible
    bad[r3.offset + 2 + 41] = 0;
    const { entries, skipped } = readBackup(bad);
    expect(entries.map((e) => new TextDecoder().decode(e.dat.key))).to.deep.equal(
      ['key-0', 'key-1', 'key-2', 'key-4', 'key-5', 'key-6', 'key-7', 'key-8', 'key-9'],
    );
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ offset: r3.offset, length: 2 + r3.length, code: 'ERR_BAD_LENGTH' });
  });

  it('passes over garbage between records, whatever its length prefix says', () => {
    const r5 = records[5]!;
    const garbage = Uint8Array.from({ length: 333 }, (_, i) => (i * 37 + 11) & 0xff);
    const bytes = Uint8Array.from([...backup10.subarray(0, r5.offset), ...garbage, ...backup10.subarray(r5.offset)]);
    const { entries, skipped } = readBackup(bytes);
    expect(writeBackup(entries)).to.deep.equal(backup10);
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ offset: r5.offset, length: garbage.length });
  });

  it('gives the same events from a stream, whatever the chunk sizes', async () => {
    const variants = [backup10, withCorruptPrefixes(backup10), backup10.subarray(0, 1000)];
    for (const bytes of variants) {
      const whole = streamEvents([bytes]);
      for (const size of [1, 2, 7, 64, 211, 4096]) expect(streamEvents(chunked(bytes, size))).to.deep.equal(whole);
      const streamed: BackupEvent[] = [];
      for await (const e of readBackupStream((async function* () { yield* chunked(bytes, 100); })())) streamed.push(e);
      expect(streamed).to.deep.equal(whole);
    }
  });

  it('passes over a long unreadable stretch in a stream holding only about a record in memory', () => {
    const garbage = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);
    const bytes = new Uint8Array(backup10.length + garbage.length);
    bytes.set(backup10.subarray(0, 211));
    bytes.set(garbage, 211);
    bytes.set(backup10.subarray(211), 211 + garbage.length);
    const reader = new BackupReader();
    const events: BackupEvent[] = [];
    let most = 0;
    for (const c of chunked(bytes, 4096)) {
      events.push(...reader.push(c));
      most = Math.max(most, reader.buffered);
    }
    events.push(...reader.end());
    expect(most).to.be.below(4096 + 2 + 1466);
    expect(events.filter((e) => e.type === 'entry')).to.have.length(10);
    const skips = events.filter((e) => e.type === 'skip');
    expect(skips).to.have.length(1);
    expect(skips[0]).to.include({ offset: 211, length: garbage.length });
    expect(events).to.deep.equal(streamEvents([bytes]));
  });

  it('never throws on mutated files, and streaming agrees with reading whole', () => {
    const mutation = fc.record({
      flips: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
      cut: fc.nat(),
      insertAt: fc.nat(),
      insert: fc.uint8Array({ maxLength: 300 }),
      chunk: fc.integer({ min: 1, max: 700 }),
    });
    fc.assert(
      fc.property(mutation, ({ flips, cut, insertAt, insert, chunk }) => {
        const b = Array.from(backup10);
        for (const f of flips) b[f.at % b.length] = f.byte;
        b.splice(insertAt % b.length, 0, ...insert);
        const bytes = Uint8Array.from(b.slice(0, b.length - (cut % 400)));
        const whole = readBackup(bytes);
        // every byte is accounted for: records and skipped stretches tile the file
        const events = streamEvents(chunked(bytes, chunk));
        expect(events).to.deep.equal(streamEvents([bytes]));
        let covered = 0;
        for (const e of events) covered += e.type === 'skip' ? e.length : 2 + (e.repaired?.actual ?? b[e.offset]! | (b[e.offset + 1]! << 8));
        expect(covered).to.equal(bytes.length);
        expect(whole.entries.length).to.be.at.most(10 + 1);
      }),
      { numRuns: 200 },
    );
  });

  it('throws ERR_INVALID_ARGUMENT for input that is not bytes', () => {
    try {
      readBackup('nope' as unknown as Uint8Array);
      expect.fail('should throw');
    } catch (err) {
      expect(isDaveError(err, 'ERR_INVALID_ARGUMENT')).to.equal(true);
    }
  });
});
