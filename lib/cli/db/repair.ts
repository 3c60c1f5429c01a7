/**
 * `dave-db repair <dir>`: rebuilds a damaged database directory with
 * LevelDB's own repair (RepairDB), for a database that a node or dave-db
 * refuses as ERR_DATABASE_CORRUPT: its CURRENT or MANIFEST file lost in a
 * partial copy, a bad restore or a disk fault. LevelDB scans the table and
 * log files that are left and writes a new manifest; records in damaged
 * files may be lost, and files it cannot use are moved to `<dir>/lost`.
 * Then the database is opened as dave-db opens it and its records counted.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repairDirectory } from '../../store/directory.js';
import { parseCommand } from './args.js';
import { countRecords, openDatabase } from './database.js';
import { EXIT_BAD_RECORDS, EXIT_OK, Output, type CliIO } from './io.js';

export const REPAIR_USAGE = 'repair <dir>';

async function lostFiles(dir: string): Promise<number> {
  try {
    return (await readdir(join(dir, 'lost'))).length;
  } catch {
    return 0;
  }
}

/** Records readable now, or null when the database does not open or a scan fails. */
async function readable(dir: string): Promise<number | null> {
  try {
    const { db, records } = await openDatabase(dir);
    try {
      return await countRecords(records);
    } finally {
      await db.close();
    }
  } catch {
    return null;
  }
}

/**
 * Runs `repair`; resolves to the exit status: 0, or 1 when it recovered no
 * record from a database that had some or did not open (nothing more to do here: restore
 * a backup). @throws DaveError (the CLI reports it, exit 2)
 */
export async function repair(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommand('repair', argv, ['dir']);
  const dir = positionals[0]!;
  const before = await readable(dir);
  // a database that does not open may have held records: none after the repair is then a loss too
  const hadData = before === null || before > 0;
  await repairDirectory(dir);
  const after = (await readable(dir)) ?? 0;
  const out = new Output(io.stdout);
  const lost = await lostFiles(dir);
  const was = before === null ? 'unreadable before' : `${before} records readable before`;
  await out.line(
    `repaired ${dir}: ${was}, ${after} records readable after` +
      (lost > 0 ? `; ${lost} files LevelDB could not use were moved to ${join(dir, 'lost')}` : ''),
  );
  if (after === 0 && hadData) {
    await out.line(
      `no records could be recovered from ${dir}. Restore a backup (dave-db import <backup-file> <dir>, ` +
        `or a copy of the directory taken while the node was stopped); the damaged files are kept` +
        `${lost > 0 ? ` in ${join(dir, 'lost')}` : ''}. Peers that replicate the records send them back once the node runs again.`,
    );
    return EXIT_BAD_RECORDS;
  }
  return EXIT_OK;
}
