/**
 * Data safety of opening a directory (lib/store/directory.ts): a database
 * is created only in a missing or empty directory. The regression runs the
 * real sequence of the silent loss: records, restart, CURRENT removed,
 * start refused with nothing changed, `dave-db repair`, records back.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { Dave } from '../../lib/node/dave.js';
import { Store } from '../../lib/store/store.js';
import { isDaveError } from '../../lib/errors.js';
import { cleanup, dbcli, tempDir } from '../cli/helpers.js';
import { makeEntry } from './helpers.js';

const entries = Array.from({ length: 10 }, (_, i) => makeEntry({ key: `key-${i}`, owner: i + 1 }));

describe('store: opening a directory never overwrites data', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it('records, restart, CURRENT removed: start refused (ERR_DATABASE_CORRUPT), repair, records back', async () => {
    const dir = join(tempDir(), 'node-data');
    const store = await Store.open({ database: dir });
    for (const e of entries) await store.put(e);
    await store.close();
    // one start and stop of a node: LevelDB turns its log into a table file
    const first = await Dave.open({ listen: '127.0.0.1:0', database: dir, verifyWorkers: 0 });
    expect((await first.get(entries[3]!.dat.pubKey, 'key-3')).dat.key).to.deep.equal(entries[3]!.dat.key);
    await first.close();
    expect(readdirSync(dir).some((f) => f.endsWith('.ldb'))).to.equal(true);

    rmSync(join(dir, 'CURRENT'));
    const files = readdirSync(dir).sort();
    let err: unknown;
    try {
      const node = await Dave.open({ listen: '127.0.0.1:0', database: dir, verifyWorkers: 0 });
      await node.close();
    } catch (e) {
      err = e;
    }
    expect(isDaveError(err, 'ERR_DATABASE_CORRUPT'), String(err)).to.equal(true);
    expect((err as Error).message).to.include(`dave-db repair ${dir}`);
    expect(readdirSync(dir).sort(), 'nothing changed').to.deep.equal(files);
    // dave-db refuses it too, and says the same
    const stats = await dbcli(['stats', dir]);
    expect(stats.code).to.equal(2);
    expect(stats.stderr).to.include('dave-db repair');

    const r = await dbcli(['repair', dir]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`repaired ${dir}: unreadable before, 10 records readable after`);

    const node = await Dave.open({ listen: '127.0.0.1:0', database: dir, verifyWorkers: 0 });
    try {
      for (const e of entries) expect((await node.get(e.dat.pubKey, e.dat.key)).dat.value).to.deep.equal(e.dat.value);
    } finally {
      await node.close();
    }
  });

  /** A directory whose records sit in one table file (a reopen turns the log into one); that file's name. */
  async function tableOf(dir: string): Promise<string> {
    const store = await Store.open({ database: dir });
    for (const e of entries) await store.put(e);
    await store.close();
    await (await Store.open({ database: dir })).close();
    const tables = readdirSync(dir).filter((f) => f.endsWith('.ldb'));
    expect(tables.length).to.be.at.least(1);
    return join(dir, tables.sort().at(-1)!);
  }

  for (const damage of ['truncated', 'garbage'] as const) {
    it(`a ${damage} table file: ERR_DATABASE_CORRUPT with the dave-db repair advice, at open`, async () => {
      const dir = join(tempDir(), 'data');
      const table = await tableOf(dir);
      const bytes = readFileSync(table);
      if (damage === 'truncated') truncateSync(table, Math.floor(bytes.length / 2));
      else writeFileSync(table, Buffer.from(bytes.map((_, i) => (i * 131 + 7) & 0xff)));
      const err = await Store.open({ database: dir }).catch((e: unknown) => e);
      expect(isDaveError(err, 'ERR_DATABASE_CORRUPT'), String(err)).to.equal(true);
      expect((err as Error).message).to.include(`dave-db repair ${dir}`);
    });
  }

  it('repair that recovers no record from a database that had some: says so, what to try next, and exits 1', async () => {
    const dir = join(tempDir(), 'data');
    const table = await tableOf(dir);
    const size = readFileSync(table).length;
    writeFileSync(table, Buffer.alloc(size, 0x5a));
    const r = await dbcli(['repair', dir]);
    expect(r.stdout).to.match(/before, 0 records readable after/);
    expect(r.stdout, r.stdout).to.include('Restore a backup');
    expect(r.code).to.equal(1);
  });

  it('a CURRENT naming a manifest that is gone is ERR_DATABASE_CORRUPT too, and repair brings the records back', async () => {
    const dir = join(tempDir(), 'data');
    const store = await Store.open({ database: dir });
    for (const e of entries) await store.put(e);
    await store.close();
    for (const f of readdirSync(dir)) if (f.startsWith('MANIFEST-')) rmSync(join(dir, f));
    const err = await Store.open({ database: dir }).catch((e: unknown) => e);
    expect(isDaveError(err, 'ERR_DATABASE_CORRUPT'), String(err)).to.equal(true);
    expect((err as Error).message).to.include('missing manifest');
    expect((await dbcli(['repair', dir])).stdout).to.include('10 records readable after');
    const back = await Store.open({ database: dir });
    expect(back.count()).to.equal(10);
    await back.close();
  });

  it('repair refuses a database that is open elsewhere (exit 2, in use)', async () => {
    const dir = join(tempDir(), 'data');
    const holder = await Store.open({ database: dir });
    try {
      const r = await dbcli(['repair', dir]);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.include(`database in use: ${dir}`);
    } finally {
      await holder.close();
    }
  });

  it('creates a database in a missing or empty directory (the node key may be there)', async () => {
    const parent = tempDir();
    const empty = join(parent, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'node.key'), 'aa\n');
    for (const dir of [join(parent, 'missing'), empty]) {
      const store = await Store.open({ database: dir });
      await store.put(entries[0]!);
      await store.close();
      expect(existsSync(join(dir, 'CURRENT'))).to.equal(true);
    }
  });

  it('refuses a directory holding other files, and writes nothing there', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file.txt'), 'mine');
    const err = await Store.open({ database: dir }).catch((e: unknown) => e);
    expect(isDaveError(err, 'ERR_DATABASE'), String(err)).to.equal(true);
    expect((err as Error).message).to.include('is not a Dave database');
    expect((err as Error).message).to.include('file.txt');
    expect(readdirSync(dir)).to.deep.equal(['file.txt']);
  });

  it("refuses another program's LevelDB (no Dave format marker) and leaves it as it was", async () => {
    const dir = join(tempDir(), 'other');
    const other = new ClassicLevel(dir);
    await other.put('their-key', 'their value');
    await other.close();
    const err = await Store.open({ database: dir }).catch((e: unknown) => e);
    expect(isDaveError(err, 'ERR_DATABASE'), String(err)).to.equal(true);
    expect((err as Error).message).to.include('not a Dave database');
    const again = new ClassicLevel(dir);
    const keys: string[] = [];
    for await (const k of again.keys()) keys.push(k);
    await again.close();
    expect(keys).to.deep.equal(['their-key']);
  });

  it('repair refuses a missing directory, an empty one and one of other files, creating nothing', async () => {
    const parent = tempDir();
    const empty = join(parent, 'empty');
    const other = join(parent, 'other');
    mkdirSync(empty);
    mkdirSync(other);
    writeFileSync(join(other, 'file.txt'), 'mine');
    for (const dir of [join(parent, 'missing'), empty, other]) {
      const r = await dbcli(['repair', dir]);
      expect(r.code, dir).to.equal(2);
    }
    expect(readdirSync(parent).sort()).to.deep.equal(['empty', 'other']);
    expect(readdirSync(empty)).to.deep.equal([]);
    expect(readdirSync(other)).to.deep.equal(['file.txt']);
  });
});

describe('dave-db on directories that are not Dave databases', function () {
  this.timeout(30_000);
  afterEach(cleanup);

  it("dump and stats say another program's LevelDB is not a Dave database, exit 2", async () => {
    const dir = join(tempDir(), 'other');
    const other = new ClassicLevel(dir);
    await other.put('their-key', 'their value');
    await other.close();
    for (const cmd of ['dump', 'stats', 'verify']) {
      const r = await dbcli([cmd, dir]);
      expect(r.code, cmd).to.equal(2);
      expect(r.stderr, cmd).to.include('is not a Dave database');
      expect(r.stdout, cmd).to.equal('');
    }
  });

  it('import refuses a directory of other files, writes nothing there, exit 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file.txt'), 'mine');
    const backup = join(tempDir(), 'backup.bin');
    writeFileSync(backup, new Uint8Array(0));
    const r = await dbcli(['import', backup, dir]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('is not a Dave database');
    expect(readdirSync(dir)).to.deep.equal(['file.txt']);
  });

  it('an import that gets no record in leaves no database behind', async () => {
    const parent = tempDir();
    const backup = join(parent, 'junk.bin');
    writeFileSync(backup, new Uint8Array(300).fill(7));
    const empty = join(parent, 'empty');
    mkdirSync(empty);
    for (const dir of [join(parent, 'new'), empty]) {
      const r = await dbcli(['import', backup, dir]);
      expect(r.code, dir).to.equal(1);
      expect(r.stderr).to.include('no database was created');
    }
    expect(readdirSync(parent).sort()).to.deep.equal(['empty', 'junk.bin']);
    expect(readdirSync(empty)).to.deep.equal([]);
  });

  it('export says the node key is not in the backup and where it is', async () => {
    const parent = tempDir();
    const dir = join(parent, 'data');
    const store = await Store.open({ database: dir });
    await store.put(entries[0]!);
    await store.close();
    writeFileSync(join(dir, 'node.key'), 'aa\n');
    const r = await dbcli(['export', dir, join(parent, 'out.bin')]);
    expect(r.stdout).to.include(`keep a copy of ${join(dir, 'node.key')}`);
    expect(r.stdout).to.include('new node ID');
  });
});
