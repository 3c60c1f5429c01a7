/**
 * dave-db's commands, run in-process against databases seeded through the
 * shared layout, with the godave v0.0.51 backup vector
 * (test/vectors/godave-v0.0.51-backup-10.bin, docs/protocol.md §14).
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { readBackup, writeBackup } from '../../lib/store/backup.js';
import { storeKey, shardOf } from '../../lib/records/record.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { publicKeyFromSeed } from '../../lib/crypto/ed25519.js';
import { toHex } from '../../lib/wire/bytes.js';
import { decodeEntry, encodeEntry, type Entry } from '../../lib/wire/entry.js';
import { FORMAT_KEY, metaLevel, recordKey } from '../../lib/store/layout.js';
import { run } from '../../lib/cli/db/main.js';
import { Store } from '../../lib/store/store.js';
import { backup10 } from '../vectors.js';
import { withCorruptPrefixes } from '../store/backup-fixtures.js';
import { Collector, cleanup, dbcli, keyOf, openDb, readAll, seed, tempDir } from './helpers.js';

const vector = readBackup(backup10).entries;
const seedOf = (i: number) => new Uint8Array(32).fill(21 + (i % 5));
const ownerHex = (i: number) => toHex(publicKeyFromSeed(seedOf(i)));
const byStoreKey = (a: Entry, b: Entry) => (storeKey(a.dat.pubKey, a.dat.key) < storeKey(b.dat.pubKey, b.dat.key) ? -1 : 1);
const IN_USE = /database in use: .* is open in another process \(is a node running\?\)/;

function tampered(e: Entry, change: (e: Entry) => void): Entry {
  const copy = decodeEntry(encodeEntry(e));
  change(copy);
  return copy;
}

describe('cli/dave-db', () => {
  after(cleanup);

  describe('arguments', () => {
    it('prints usage on --help and exits 0', async () => {
      const r = await dbcli(['--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/^usage: dave-db/);
      for (const cmd of ['dump', 'stats', 'verify', 'import', 'export', 'repair']) {
        const h = await dbcli([cmd, '--help']);
        expect(h.code, cmd).to.equal(0);
        expect(h.stdout, cmd).to.match(new RegExp(`^usage: dave-db ${cmd} `));
      }
    });

    it('exits 2 with one line on stderr (the problem, the usage, a pointer to --help) for no command, an unknown command, or bad arguments', async () => {
      const dir = tempDir();
      for (const argv of [[], ['frobnicate'], ['dump'], ['dump', dir, 'extra'], ['dump', dir, '--limit', 'x'],
        ['dump', dir, '--owner', 'xyz'], ['stats', dir, '--bogus'], ['import', 'only-one'], ['export', dir]]) {
        const r = await dbcli(argv);
        expect(r.code, argv.join(' ')).to.equal(2);
        expect(r.stderr, argv.join(' ')).to.include('usage: dave-db');
        expect(r.stderr, argv.join(' ')).to.match(/^dave-db: [^\n]*--help[^\n]*\n$/);
        expect(r.stdout).to.equal('');
      }
    });
  });

  describe('missing and locked databases', () => {
    it('refuses a missing directory or one without a database, and creates nothing', async () => {
      const parent = tempDir();
      const missing = join(parent, 'nope');
      const empty = join(parent, 'empty');
      mkdirSync(empty);
      for (const cmd of ['dump', 'stats', 'verify']) {
        for (const dir of [missing, empty]) {
          const r = await dbcli([cmd, dir]);
          expect(r.code).to.equal(2);
          expect(r.stderr).to.match(/^no database at /);
        }
      }
      const ex = await dbcli(['export', missing, join(parent, 'out.bin')]);
      expect(ex.code).to.equal(2);
      expect(existsSync(missing)).to.equal(false);
      expect(readdirSync(empty)).to.deep.equal([]);
      expect(readdirSync(parent).sort()).to.deep.equal(['empty']);
    });

    it('says the database is in use, exit 2, for every command while another handle holds it', async () => {
      const dir = tempDir();
      await seed(dir, vector);
      const file = join(tempDir(), 'b.bin');
      writeFileSync(file, backup10);
      const db = openDb(dir);
      await db.open();
      try {
        for (const argv of [['dump', dir], ['stats', dir], ['verify', dir], ['import', file, dir],
          ['export', dir, join(tempDir(), 'out.bin')]]) {
          const r = await dbcli(argv);
          expect(r.code, argv[0]).to.equal(2);
          expect(r.stderr, argv[0]).to.match(IN_USE);
          expect(r.stdout).to.equal('');
        }
      } finally {
        await db.close();
      }
      expect((await dbcli(['stats', dir])).code).to.equal(0);
    });

    it('refuses a database of another format', async () => {
      const dir = tempDir();
      await seed(dir, []);
      const db = openDb(dir);
      await db.open();
      await metaLevel(db).put(FORMAT_KEY, new TextEncoder().encode('dave-kv/99'));
      await db.close();
      const r = await dbcli(['dump', dir]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include('dave-kv/99');
    });
  });

  describe('dump', () => {
    let dir: string;
    before(async () => {
      dir = tempDir();
      await seed(dir, vector);
    });

    it('prints a line per record: owner, key, ISO time, value size, replicas, preview', async () => {
      const r = await dbcli(['dump', dir]);
      expect(r.code).to.equal(0);
      expect(r.lines).to.have.length(10);
      for (let i = 0; i < 10; i++) {
        const iso = new Date(1732000000000 + i).toISOString();
        expect(r.lines).to.include(`${ownerHex(i)} "key-${i}" ${iso} 7B replicas=${i},2,3,4,5 "value-${i}"`);
      }
    });

    it('prints the records in store-key order', async () => {
      const r = await dbcli(['dump', dir, '--json']);
      const keys = r.lines.map((l) => BigInt(JSON.parse(l).store_key_u64));
      expect(keys).to.deep.equal([...keys].sort((a, b) => (a < b ? -1 : 1)));
    });

    it('writes NDJSON with every field and the full value', async () => {
      const r = await dbcli(['dump', dir, '--json']);
      expect(r.code).to.equal(0);
      const rows = r.lines.map((l) => JSON.parse(l));
      expect(rows).to.have.length(10);
      for (let i = 0; i < 10; i++) {
        const row = rows.find((x) => x.key === `key-${i}`);
        const e = vector[i]!;
        const sk = storeKey(e.dat.pubKey, e.dat.key);
        expect(row).to.deep.equal({
          public_key_hex: ownerHex(i),
          owner_id_u64: new DataView(e.dat.pubKey.buffer, e.dat.pubKey.byteOffset).getBigUint64(0, true).toString(),
          key: `key-${i}`,
          key_hex: toHex(new TextEncoder().encode(`key-${i}`)),
          time_ms: 1732000000000 + i,
          time_iso: new Date(1732000000000 + i).toISOString(),
          replicas_u64: [String(i), '2', '3', '4', '5'],
          value_size: 7,
          value: `value-${i}`,
          val_hex: toHex(new TextEncoder().encode(`value-${i}`)),
          salt_hex: toHex(e.dat.salt),
          work_hex: toHex(e.dat.work),
          sig_hex: toHex(e.dat.sig),
          store_key_u64: sk.toString(),
          shard: shardOf(sk),
          entry_size: 7 + 5 + 224,
        });
      }
    });

    it('filters by owner (full key or prefix), key prefix, and limit', async () => {
      const full = await dbcli(['dump', dir, '--owner', ownerHex(1).toUpperCase()]);
      expect(full.lines.map((l) => l.split(' ')[1]).sort()).to.deep.equal(['"key-1"', '"key-6"']);
      const pre = await dbcli(['dump', dir, '--owner', ownerHex(2).slice(0, 7)]);
      expect(pre.lines.every((l) => l.startsWith(ownerHex(2)))).to.equal(true);
      expect(pre.lines).to.have.length(2);
      const key = await dbcli(['dump', dir, '--prefix', 'key-7', '--json']);
      expect(key.lines.map((l) => JSON.parse(l).key)).to.deep.equal(['key-7']);
      expect((await dbcli(['dump', dir, '--prefix', 'nope'])).lines).to.deep.equal([]);
      expect((await dbcli(['dump', dir, '--limit', '3'])).lines).to.have.length(3);
      expect((await dbcli(['dump', dir, '--limit', '0'])).lines).to.have.length(0);
      const both = await dbcli(['dump', dir, '--owner', ownerHex(3), '--prefix', 'key-8']);
      expect(both.lines).to.have.length(1);
    });

    it('previews binary and long values briefly, and shows the full value only in --json', async () => {
      const d = tempDir();
      const bin = await createDat({ key: new Uint8Array([0xff, 0x00]), value: new Uint8Array(100).fill(1), privateKey: seedOf(0), time: 1 });
      const long = await createDat({ key: 'long', value: 'x'.repeat(500), privateKey: seedOf(0), time: 2 });
      await seed(d, [{ dat: bin, replicas: [0n, 0n, 0n, 0n, 0n] }, { dat: long, replicas: [0n, 0n, 0n, 0n, 0n] }]);
      const r = await dbcli(['dump', d]);
      const binLine = r.lines.find((l) => l.includes('0xff00'))!;
      expect(binLine).to.match(/ 100B replicas=0,0,0,0,0 0x(01){16}…$/);
      const longLine = r.lines.find((l) => l.includes('"long"'))!;
      expect(longLine).to.match(new RegExp(` 500B replicas=0,0,0,0,0 "${'x'.repeat(32)}"…$`));
      const rows = (await dbcli(['dump', d, '--json'])).lines.map((l) => JSON.parse(l));
      const b = rows.find((x) => x.key_hex === 'ff00');
      expect(b.key).to.equal(null);
      expect(b).to.not.have.property('value');
      expect(b.val_hex).to.equal('01'.repeat(100));
      expect(rows.find((x) => x.key === 'long').value).to.equal('x'.repeat(500));
    });

    it('reports undecodable records on stderr and exits 1, keeping stdout clean', async () => {
      const d = tempDir();
      await seed(d, vector.slice(0, 2), [[recordKey(42n), new Uint8Array([1, 2, 3])]]);
      const r = await dbcli(['dump', d, '--json']);
      expect(r.code).to.equal(1);
      expect(r.lines).to.have.length(2);
      r.lines.forEach((l) => JSON.parse(l));
      expect(r.stderr).to.include(`undecodable record at store key ${toHex(recordKey(42n))}: ERR_TRUNCATED`);
    });

    it('reports records under a database key that is not 8 bytes as bad, in text and --json, and exits 1', async () => {
      const d = tempDir();
      const short = new Uint8Array([1, 2, 3]);
      await seed(d, vector.slice(0, 2), [[short, encodeEntry(vector[2]!)]]);
      for (const argv of [['dump', d, '--json'], ['dump', d]]) {
        const r = await dbcli(argv);
        expect(r.code, argv.join(' ')).to.equal(1);
        expect(r.lines, argv.join(' ')).to.have.length(2);
        if (argv.includes('--json')) r.lines.forEach((l) => JSON.parse(l));
        expect(r.stderr, argv.join(' ')).to.equal(`bad record at store key 010203: ERR_DATABASE: the key is 3 bytes, not 8\n`);
      }
    });

    it('stops quietly when stdout is closed (dump | head)', async () => {
      const stdout = new Writable({
        write(_c, _e, done) {
          const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
          done(err);
        },
      });
      const stderr = new Collector();
      const code = await run(['dump', dir], { stdout, stderr });
      expect(code).to.equal(0);
      expect(stderr.text).to.equal('');
    });
  });

  describe('stats', () => {
    it('counts records, bytes, time range, top owners and shard fill', async () => {
      const dir = tempDir();
      await seed(dir, vector);
      const r = await dbcli(['stats', dir, '--json']);
      expect(r.code).to.equal(0);
      const s = JSON.parse(r.stdout);
      expect(s).to.include({
        format: 'dave-kv/1',
        records: 10,
        undecodable: 0,
        accounted_bytes: 10 * (7 + 5 + 224),
        stored_bytes: 10 * 8 + backup10.length - 10 * 2,
        time_min_ms: 1732000000000,
        time_max_ms: 1732000000009,
        time_min_iso: '2024-11-19T07:06:40.000Z',
        time_max_iso: '2024-11-19T07:06:40.009Z',
        owners: 5,
      });
      expect(s.top_owners).to.have.length(5);
      for (const o of s.top_owners) expect(o).to.include({ records: 2, accounted_bytes: 2 * 236 });
      expect(s.top_owners.map((o: { public_key_hex: string }) => o.public_key_hex).sort()).to.deep.equal(
        [0, 1, 2, 3, 4].map(ownerHex).sort(),
      );
      const shards = vector.map((e) => shardOf(storeKey(e.dat.pubKey, e.dat.key)));
      expect(s.shards.counts).to.have.length(256);
      shards.forEach((sh) => expect(s.shards.counts[sh]).to.be.greaterThan(0));
      expect(s.shards.counts.reduce((a: number, b: number) => a + b, 0)).to.equal(10);
      expect(s.shards).to.include({ used: new Set(shards).size, min: 0, median: 0 });
      expect((await dbcli(['stats', dir, '--json', '--top', '2'])).stdout).to.satisfy(
        (t: string) => JSON.parse(t).top_owners.length === 2,
      );
    });

    it('prints a readable report with a shard histogram', async () => {
      const dir = tempDir();
      await seed(dir, vector);
      const r = await dbcli(['stats', dir]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(/^records +10$/m);
      expect(r.stdout).to.match(/^time range +2024-11-19T07:06:40\.000Z \.\. 2024-11-19T07:06:40\.009Z$/m);
      const rows = r.lines.filter((l) => /^ {2}[0-9a-f]{2}-[0-9a-f]{2} /.test(l));
      expect(rows).to.have.length(16);
      expect(rows.join('').match(/█/g)).to.have.length(new Set(vector.map((e) => keyOf(e)[0])).size);
    });

    it('counts records that do not decode, and exits 1', async () => {
      const dir = tempDir();
      await seed(dir, vector.slice(0, 3), [[recordKey(99n), new Uint8Array(5)]]);
      const r = await dbcli(['stats', dir, '--json']);
      expect(r.code).to.equal(1);
      expect(JSON.parse(r.stdout)).to.include({ records: 4, undecodable: 1, owners: 3 });
    });

    it('reports an empty database', async () => {
      const dir = tempDir();
      await seed(dir, []);
      const s = JSON.parse((await dbcli(['stats', dir, '--json'])).stdout);
      expect(s).to.include({ records: 0, accounted_bytes: 0, time_min_ms: null, owners: 0 });
      expect(s.shards).to.include({ used: 0, max: 0 });
    });
  });

  describe('verify', () => {
    it('passes a good database, quietly', async () => {
      const dir = tempDir();
      await seed(dir, vector);
      const r = await dbcli(['verify', dir]);
      expect(r.code).to.equal(0);
      expect(r.lines).to.deep.equal(['verified 10 records: 10 good, 0 bad']);
      expect(r.stderr).to.equal('');
    });

    it('lists every bad record with owner, key and code, and exits 1', async () => {
      const dir = tempDir();
      const badSig = tampered(vector[1]!, (e) => (e.dat.value = new TextEncoder().encode('VALUE-1')));
      const badWork = tampered(vector[2]!, (e) => (e.dat.salt[15]! ^= 1));
      const noWork = tampered(vector[3]!, (e) => e.dat.work.fill(0xff));
      const future = await createDat({ key: 'future', value: 'v', privateKey: seedOf(4), time: 1_900_000_000_000 });
      const misplaced = vector[5]!;
      await seed(dir, [vector[0]!, badSig, badWork, noWork, { dat: future, replicas: [0n, 0n, 0n, 0n, 0n] }], [
        [recordKey(storeKey(misplaced.dat.pubKey, misplaced.dat.key) ^ 1n), encodeEntry(misplaced)],
        [recordKey(7n), new Uint8Array(10)],
      ]);
      const r = await dbcli(['verify', dir], { now: () => 1_800_000_000_000 });
      expect(r.code).to.equal(1);
      const bad = r.lines.filter((l) => l.startsWith('bad '));
      expect(bad).to.have.length(6);
      const expectLine = (i: number, key: string, code: string) =>
        expect(bad.some((l) => l.startsWith(`bad ${ownerHex(i)} "${key}" ${code}:`)), `${key} ${code}`).to.equal(true);
      expectLine(1, 'key-1', 'ERR_BAD_SIGNATURE');
      expectLine(2, 'key-2', 'ERR_BAD_WORK');
      expectLine(3, 'key-3', 'ERR_INSUFFICIENT_WORK');
      expectLine(4, 'future', 'ERR_FUTURE_TIME');
      expectLine(0, 'key-5', 'ERR_DATABASE');
      expect(bad.some((l) => l.startsWith(`bad store-key:${toHex(recordKey(7n))} ? ERR_TRUNCATED:`))).to.equal(true);
      expect(r.lines.at(-1)).to.equal('verified 7 records: 1 good, 6 bad');
    });

    it('draws a progress bar on stderr when asked (a terminal), and erases it', async () => {
      const dir = tempDir();
      await seed(dir, vector);
      const r = await dbcli(['verify', dir], { progress: true });
      expect(r.code).to.equal(0);
      expect(r.stderr).to.match(/\rverifying \[#{3}-{27}\] 10% 1\/10/);
      expect(r.stderr.endsWith('\r\x1b[K')).to.equal(true);
      expect(r.stdout).to.not.include('verifying [');
    });
  });

  describe('import', () => {
    it('imports the 10-record vector into a new database, with its format', async () => {
      const dir = join(tempDir(), 'db');
      const file = join(tempDir(), 'b.bin');
      writeFileSync(file, backup10);
      const r = await dbcli(['import', file, dir]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('10 records read; 10 added, 0 replaced, 0 already stored, 0 older than stored; 0 bad');
      const stored = await readAll(dir);
      expect(stored).to.have.length(10);
      for (const e of vector) {
        const hit = stored.find(([k]) => toHex(k) === toHex(keyOf(e)));
        expect(hit, toHex(keyOf(e))).to.not.equal(undefined);
        expect(hit![1]).to.deep.equal(encodeEntry(e));
      }
      const db = openDb(dir);
      await db.open();
      expect(new TextDecoder().decode(await metaLevel(db).get(FORMAT_KEY))).to.equal('dave-kv/1');
      await db.close();
      expect((await dbcli(['verify', dir])).code).to.equal(0);
    });

    it('leaves the database unchanged when the same file is imported again', async () => {
      const dir = tempDir();
      const file = join(dir, 'b.bin');
      writeFileSync(file, backup10);
      const db = join(dir, 'db');
      await dbcli(['import', file, db]);
      const before = await readAll(db);
      const r = await dbcli(['import', file, db]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('0 added, 0 replaced, 10 already stored');
      expect(await readAll(db)).to.deep.equal(before);
    });

    it('keeps the newer record of a key, whatever the order in the file and the database (docs/protocol.md §9)', async () => {
      const dir = tempDir();
      const v0 = vector[0]!;
      const newer: Entry = { dat: await createDat({ key: 'key-0', value: 'newer', privateKey: seedOf(0), time: v0.dat.time + 1000 }), replicas: [9n, 0n, 0n, 0n, 0n] };
      const newest: Entry = { dat: await createDat({ key: 'key-0', value: 'newest', privateKey: seedOf(0), time: v0.dat.time + 2000 }), replicas: [9n, 0n, 0n, 0n, 0n] };
      // in one file: newer, then older, then newest
      const file = join(dir, 'mixed.bin');
      writeFileSync(file, writeBackup([newer, v0, newest]));
      const db = join(dir, 'db');
      const r = await dbcli(['import', file, db]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('3 records read; 1 added, 0 replaced, 0 already stored, 1 older than stored; 0 bad');
      expect((await readAll(db)).map(([, v]) => decodeEntry(v).dat.value)).to.deep.equal([new TextEncoder().encode('newest')]);
      // against the database: an older record is kept out, a newer one replaces
      const older = join(dir, 'older.bin');
      writeFileSync(older, writeBackup([newer]));
      expect((await dbcli(['import', older, db])).stdout).to.include('0 added, 0 replaced, 0 already stored, 1 older than stored');
      const newestSameTimeOtherValue: Entry = { ...newest, replicas: [1n, 2n, 3n, 4n, 5n] };
      writeFileSync(older, writeBackup([newestSameTimeOtherValue]));
      expect((await dbcli(['import', older, db])).stdout).to.include('0 added, 1 replaced');
      expect(decodeEntry((await readAll(db))[0]![1]).replicas).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    });

    it('replaces a stored record that sits under another record\'s key, as the store skips it on open', async () => {
      const dir = tempDir();
      const db = join(dir, 'db');
      const v2 = vector[2]!;
      // under key-0's database key: another owner's record (was refused ERR_PUBKEY_MISMATCH);
      // under key-2's: a newer record of the same owner's other key (was counted older than stored)
      const sameOwnerNewer: Entry = { dat: await createDat({ key: 'other', value: 'x', privateKey: seedOf(2), time: v2.dat.time + 1000 }), replicas: [0n, 0n, 0n, 0n, 0n] };
      await seed(db, [], [[keyOf(vector[0]!), encodeEntry(vector[1]!)], [keyOf(v2), encodeEntry(sameOwnerNewer)]]);
      const file = join(dir, 'b.bin');
      writeFileSync(file, writeBackup([vector[0]!, v2]));
      const r = await dbcli(['import', file, db]);
      expect(r.stderr).to.equal('');
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('2 records read; 2 added, 0 replaced, 0 already stored, 0 older than stored; 0 bad');
      const stored = await readAll(db);
      expect(stored.map(([k, v]) => [toHex(k), toHex(v)]).sort()).to.deep.equal(
        [vector[0]!, v2].map((e) => [toHex(keyOf(e)), toHex(encodeEntry(e))]).sort(),
      );
    });

    it('imports the good records of a damaged file, lists the bad ones, and exits 1', async () => {
      const dir = tempDir();
      const badSig = tampered(vector[4]!, (e) => (e.dat.value = new TextEncoder().encode('forged!')));
      const bytes = writeBackup([vector[0]!, badSig, vector[1]!, vector[2]!]);
      const torn = bytes.subarray(0, bytes.length - 20);
      const file = join(dir, 'bad.bin');
      writeFileSync(file, torn);
      const r = await dbcli(['import', file, join(dir, 'db')]);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.include('3 records read; 2 added');
      expect(r.stdout).to.include('; 2 bad');
      expect(r.stderr).to.match(new RegExp(`offset 211: ${ownerHex(4)} "key-4" skipped, ERR_BAD_SIGNATURE`));
      expect(r.stderr).to.match(/offset 633: \d+ unreadable bytes skipped, ERR_TRUNCATED/);
      expect((await readAll(join(dir, 'db'))).length).to.equal(2);
    });

    it("recovers a file rewritten by godave with 1424 as every length", async () => {
      const dir = tempDir();
      const corrupt = withCorruptPrefixes(backup10);
      const file = join(dir, 'rewritten.bin');
      writeFileSync(file, corrupt);
      const r = await dbcli(['import', file, join(dir, 'db')]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('10 added');
      expect(r.stderr).to.include('10 records had a wrong length prefix');
    });

    it('exits 2 when the backup file cannot be read', async () => {
      const dir = tempDir();
      const r = await dbcli(['import', join(dir, 'missing.bin'), join(dir, 'db')]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include('cannot read backup file');
      expect(existsSync(join(dir, 'db'))).to.equal(false);
    });
  });

  describe('with the store engine (lib/store/store.ts)', () => {
    it("reads what the store writes, and is refused while the store has it open", async () => {
      const dir = tempDir();
      const store = await Store.open({ database: dir });
      try {
        for (const e of vector) await store.put(e);
        const r = await dbcli(['stats', dir]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.match(IN_USE);
      } finally {
        await store.close();
      }
      const v = await dbcli(['verify', dir]);
      expect(v.code).to.equal(0);
      expect(v.lines.at(-1)).to.equal('verified 10 records: 10 good, 0 bad');
      expect((await dbcli(['dump', dir])).lines).to.have.length(10);
    });

    it('writes what the store reads', async () => {
      const dir = tempDir();
      const file = join(dir, 'b.bin');
      writeFileSync(file, backup10);
      expect((await dbcli(['import', file, join(dir, 'db')])).code).to.equal(0);
      const store = await Store.open({ database: join(dir, 'db') });
      try {
        expect(store.count()).to.equal(10);
        for (const e of vector) {
          const got = await store.get(e.dat.pubKey, e.dat.key);
          expect(got && encodeEntry(got)).to.deep.equal(encodeEntry(e));
        }
      } finally {
        await store.close();
      }
    });
  });

  describe('export', () => {
    it('round-trips the vector: import then export gives a correct godave file of the same records', async () => {
      const dir = tempDir();
      const file = join(dir, 'in.bin');
      writeFileSync(file, backup10);
      await dbcli(['import', file, join(dir, 'db')]);
      const out = join(dir, 'out.bin');
      const r = await dbcli(['export', join(dir, 'db'), out]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.include('exported 10 records (2110 bytes, 2.1 KiB)');
      const written = new Uint8Array(readFileSync(out));
      expect(written.length).to.equal(backup10.length);
      // store-key order, correct lengths: exactly writeBackup of the sorted vector
      expect(written).to.deep.equal(writeBackup([...vector].sort(byStoreKey)));
      const back = readBackup(written);
      expect(back.skipped).to.deep.equal([]);
      expect(back.repaired).to.deep.equal([]);
      expect(readdirSync(dir).sort()).to.deep.equal(['db', 'in.bin', 'out.bin']);
    });

    it('will not overwrite a file without --force', async () => {
      const dir = tempDir();
      await seed(join(dir, 'db'), vector.slice(0, 3));
      const out = join(dir, 'out.bin');
      writeFileSync(out, 'keep me');
      const r = await dbcli(['export', join(dir, 'db'), out]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include('--force');
      expect(readFileSync(out, 'utf8')).to.equal('keep me');
      expect((await dbcli(['export', join(dir, 'db'), out, '--force'])).code).to.equal(0);
      expect(readBackup(new Uint8Array(readFileSync(out))).entries).to.have.length(3);
    });

    it('leaves out records that do not verify (godave stops at the first), lists them, and exits 1', async () => {
      const dir = tempDir();
      const badSig = tampered(vector[1]!, (e) => (e.dat.value = new TextEncoder().encode('VALUE-1')));
      await seed(join(dir, 'db'), [vector[0]!, badSig, vector[2]!]);
      const out = join(dir, 'out.bin');
      const r = await dbcli(['export', join(dir, 'db'), out]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.include(`left out ${ownerHex(1)} "key-1" ERR_BAD_SIGNATURE`);
      const back = readBackup(new Uint8Array(readFileSync(out)));
      expect(back.entries.map((e) => new TextDecoder().decode(e.dat.key)).sort()).to.deep.equal(['key-0', 'key-2']);
    });
  });
});
