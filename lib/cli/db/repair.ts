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
import { EXIT_OK, Output, type CliIO } from './io.js';

export const REPAIR_USAGE = 'repair <dir>';

async function lostFiles(dir: string): Promise<number> {
  try {
    return (await readdir(join(dir, 'lost'))).length;
  } catch {
    return 0;
  }
}

/** Runs `repair`; resolves to the exit status. @throws DaveError (the CLI reports it, exit 2) */
export async function repair(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommand('repair', argv, ['dir']);
  const dir = positionals[0]!;
  await repairDirectory(dir);
  const { db, records } = await openDatabase(dir);
  let n: number;
  try {
    n = await countRecords(records);
  } finally {
    await db.close();
  }
  const out = new Output(io.stdout);
  const lost = await lostFiles(dir);
  await out.line(
    `repaired ${dir}: ${n} records readable` +
      (lost > 0 ? `; ${lost} files LevelDB could not use were moved to ${join(dir, 'lost')}` : ''),
  );
  return EXIT_OK;
}
