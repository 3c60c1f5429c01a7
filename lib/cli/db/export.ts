/**
 * `dave-db export <dir> <backup-file> [--force]`: writes every good record,
 * in store-key order, to a godave backup file (docs/protocol.md §14) with correct
 * length prefixes, which godave v0.0.51 reads back. godave stops reading
 * at the first record that fails its checks, so records that do not
 * verify are left out and listed (exit status 1). The file is written
 * beside its destination and renamed into place once complete. The node's
 * key (its identity, `node.key` in the data directory) is not a record:
 * the output says to keep it alongside.
 */
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DaveError } from '../../errors.js';
import { backupRecord } from '../../store/backup.js';
import { parseCommand } from './args.js';
import { openDatabase, scanRecords } from './database.js';
import { EXIT_BAD_RECORDS, EXIT_OK, Output, messageOf, type CliIO } from './io.js';
import { checkRecord, describeRecord } from './verify.js';
import { humanBytes } from './format.js';

export const EXPORT_USAGE = 'export <dir> <backup-file> [--force]';

const CHUNK = 1 << 16;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `export`; resolves to the exit status. @throws DaveError (the CLI reports it, exit 2) */
export async function exportBackup(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('export', argv, ['dir', 'backup-file'], { force: { type: 'boolean' } });
  const [dir, file] = positionals as [string, string];
  if (values.force !== true && (await exists(file))) {
    throw new Error(`${file} exists; add --force to overwrite it`);
  }
  const { db, records } = await openDatabase(dir);
  const out = new Output(io.stdout);
  const err = new Output(io.stderr);
  const now = (io.now ?? Date.now)();
  const tmp = `${file}.${process.pid}.tmp`;
  let written = 0;
  let bad = 0;
  let bytes = 0;
  try {
    const fh = await open(tmp, 'w');
    try {
      let buf: Uint8Array[] = [];
      let buffered = 0;
      for await (const r of scanRecords(records)) {
        const problem = checkRecord(r, now);
        if (problem) {
          bad++;
          await err.line(`left out ${describeRecord(r)} ${problem.code}: ${problem.message}`);
          continue;
        }
        const rec = backupRecord(r.entry!);
        buf.push(rec);
        buffered += rec.length;
        written++;
        if (buffered >= CHUNK) {
          await fh.write(Buffer.concat(buf));
          bytes += buffered;
          buf = [];
          buffered = 0;
        }
      }
      await fh.write(Buffer.concat(buf));
      bytes += buffered;
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    if (e instanceof DaveError) throw e;
    throw new DaveError('ERR_DATABASE', `cannot export to ${file}: ${messageOf(e)}`, { cause: e });
  } finally {
    await db.close();
  }
  await out.line(`exported ${written} records (${bytes} bytes, ${humanBytes(bytes)}) from ${dir} to ${file}; ${bad} bad records left out`);
  // the records carry no node identity: say where it is, so a backup keeps it
  const key = join(dir, 'node.key');
  await out.line(
    (await exists(key))
      ? `the node's identity is not in ${file}: keep a copy of ${key} with it (restored without the key, the records come back under a new node ID)`
      : `the node's identity is not in ${file}: keep a copy of the node's key file (dave --key-file) with it, or the node gets a new ID`,
  );
  return bad > 0 ? EXIT_BAD_RECORDS : EXIT_OK;
}
