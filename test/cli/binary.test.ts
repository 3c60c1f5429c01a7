/**
 * The real dave-db binary (dist/lib/cli/dave-db.js) in a child process:
 * exit statuses, streams, and the lock held by another process.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backup10 } from '../vectors.js';
import { cleanup, openDb, tempDir } from './helpers.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../lib/cli/dave-db.js');

interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

function daveDb(args: string[]): Promise<Spawned> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('cli/dave-db binary', () => {
  after(cleanup);

  it('prints usage and exits 2 on bad arguments, 0 on --help', async () => {
    const bad = await daveDb(['dump']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('usage: dave-db');
    expect(bad.stdout).to.equal('');
    const help = await daveDb(['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('usage: dave-db');
  });

  it('imports the godave vector and dumps it as NDJSON', async () => {
    const dir = tempDir();
    const file = join(dir, 'b.bin');
    writeFileSync(file, backup10);
    const imp = await daveDb(['import', file, join(dir, 'db')]);
    expect(imp.code, imp.stderr).to.equal(0);
    const dump = await daveDb(['dump', join(dir, 'db'), '--json']);
    expect(dump.code, dump.stderr).to.equal(0);
    const keys = dump.stdout.trim().split('\n').map((l) => JSON.parse(l).key);
    expect(keys.sort()).to.deep.equal([...Array(10).keys()].map((i) => `key-${i}`));
  });

  it('says the database is in use and exits 2 while another process holds it', async () => {
    const dir = tempDir();
    const db = openDb(join(dir, 'db'));
    await db.open();
    try {
      for (const cmd of ['stats', 'verify']) {
        const r = await daveDb([cmd, join(dir, 'db')]);
        expect(r.code).to.equal(2);
        expect(r.stderr.trim()).to.equal(
          `database in use: ${join(dir, 'db')} is open in another process (is a node running?)`,
        );
      }
    } finally {
      await db.close();
    }
    const after = await daveDb(['verify', join(dir, 'db')]);
    expect(after.code).to.equal(0);
    expect(after.stdout).to.include('verified 0 records');
  });

  it('exits 1 from import when a record does not verify, and names the error', async () => {
    const dir = tempDir();
    const bytes = Uint8Array.from(backup10);
    bytes[2 + 42 + 153 + 5 + 2] ^= 1; // first record's value: "value-0" → "walue-0"
    const file = join(dir, 'b.bin');
    writeFileSync(file, bytes);
    const imp = await daveDb(['import', file, join(dir, 'db')]);
    expect(imp.code).to.equal(1);
    expect(imp.stderr).to.include('ERR_BAD_SIGNATURE');
  });
});
