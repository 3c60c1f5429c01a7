/**
 * Opening a Dave database directory for dave-db, through the store's one
 * opener (lib/store/directory.ts) and the shared layout (lib/store/layout.ts),
 * independent of the store engine.
 *
 * Inspection commands must never create or change a database: a directory
 * without a database is refused before LevelDB is asked to open it, and
 * one holding LevelDB files without CURRENT (which LevelDB would replace by
 * a new, empty database) is refused as ERR_DATABASE_CORRUPT.
 */
import type { ClassicLevel } from 'classic-level';
import { DaveError } from '../../errors.js';
import { ready } from '../../crypto/hash.js';
import { decodeEntry, type Entry } from '../../wire/entry.js';
import { checkFormat } from '../../store/database.js';
import { openDirectory } from '../../store/directory.js';
import { metaLevel, recordsLevel, type MetaLevel, type RecordsLevel } from '../../store/layout.js';

export type Database = ClassicLevel<Uint8Array, Uint8Array>;

export interface OpenDatabase {
  db: Database;
  records: RecordsLevel;
  meta: MetaLevel;
  /** The format recorded in meta, or undefined when none is (an empty database). */
  format: string | undefined;
}

/**
 * Opens an existing Dave database.
 * @param create create the database in a missing or empty directory, and record its format
 * @throws DaveError ERR_DATABASE (missing, not a Dave database, another
 *   format, unreadable), ERR_DATABASE_CORRUPT (LevelDB files without a
 *   readable database), ERR_DATABASE_IN_USE (locked by another process)
 */
export async function openDatabase(dir: string, create = false): Promise<OpenDatabase> {
  await ready(); // the WASM hashes, for the keys and records inspected (crypto/hash.ts)
  const db = await openDirectory(dir, create);
  try {
    const format = await checkFormat(db, create, dir);
    return { db, records: recordsLevel(db), meta: metaLevel(db), format };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** A record as found in the database: its key, its bytes, and the Entry or why it does not decode. */
export interface ScannedRecord {
  /** The 8-byte database key (big-endian store key). */
  dbKey: Uint8Array;
  bytes: Uint8Array;
  entry?: Entry;
  error?: DaveError;
}

/** Every record in store-key order, decoded where possible. */
export async function* scanRecords(records: RecordsLevel): AsyncGenerator<ScannedRecord> {
  for await (const [dbKey, bytes] of records.iterator()) {
    let record: ScannedRecord;
    try {
      record = { dbKey, bytes, entry: decodeEntry(bytes) };
    } catch (err) {
      const error = err instanceof DaveError ? err : new DaveError('ERR_DATABASE', String(err), { cause: err });
      record = { dbKey, bytes, error };
    }
    yield record;
  }
}

/** Number of records, counting keys only (fast: values are not read). */
export async function countRecords(records: RecordsLevel): Promise<number> {
  let n = 0;
  for await (const _ of records.keys()) n++;
  return n;
}
