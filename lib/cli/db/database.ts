/**
 * Opening a Dave database directory for dave-db, through the shared layout
 * (lib/store/layout.ts), independent of the store engine.
 *
 * Inspection commands must never create or change a database. LevelDB
 * creates the directory and its LOCK file even with createIfMissing false,
 * so a directory without a LevelDB CURRENT file is refused before opening.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { DaveError } from '../../errors.js';
import { decodeEntry, type Entry } from '../../wire/entry.js';
import {
  FORMAT_KEY,
  FORMAT_VERSION,
  metaLevel,
  recordsLevel,
  type MetaLevel,
  type RecordsLevel,
} from '../../store/layout.js';

export type Database = ClassicLevel<Uint8Array, Uint8Array>;

export interface OpenDatabase {
  db: Database;
  records: RecordsLevel;
  meta: MetaLevel;
  /** The format recorded in meta, or undefined when none is. */
  format: string | undefined;
}

const decoder = new TextDecoder();

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function hasDatabase(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'CURRENT'))).isFile();
  } catch {
    return false;
  }
}

function openError(dir: string, err: unknown): DaveError {
  const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e?.code === 'LEVEL_LOCKED' || e?.cause?.code === 'LEVEL_LOCKED') {
    return new DaveError(
      'ERR_DATABASE_IN_USE',
      `database in use: ${dir} is open in another process (is a node running?)`,
      { cause: err },
    );
  }
  return new DaveError('ERR_DATABASE', `cannot open the database at ${dir}: ${e?.cause?.message ?? e?.message}`, {
    cause: err,
  });
}

/**
 * Opens an existing database.
 * @param create create the database when missing, and record its format
 * @throws DaveError ERR_DATABASE (missing, unreadable, or another format),
 *   ERR_DATABASE_IN_USE (locked by another process)
 */
export async function openDatabase(dir: string, create = false): Promise<OpenDatabase> {
  if (!create) {
    if (!(await isDirectory(dir))) throw new DaveError('ERR_DATABASE', `no database at ${dir}: no such directory`);
    if (!(await hasDatabase(dir))) {
      throw new DaveError('ERR_DATABASE', `no database at ${dir}: the directory holds no LevelDB database`);
    }
  }
  const db: Database = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    createIfMissing: create,
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  try {
    await db.open();
  } catch (err) {
    throw openError(dir, err);
  }
  const records = recordsLevel(db);
  const meta = metaLevel(db);
  try {
    const raw = await meta.get(FORMAT_KEY);
    let format = raw === undefined ? undefined : decoder.decode(raw);
    if (format !== undefined && format !== FORMAT_VERSION) {
      throw new DaveError('ERR_DATABASE', `${dir} holds a database of format "${format}", not "${FORMAT_VERSION}"`);
    }
    if (format === undefined && create) {
      await meta.put(FORMAT_KEY, new TextEncoder().encode(FORMAT_VERSION));
      format = FORMAT_VERSION;
    }
    return { db, records, meta, format };
  } catch (err) {
    await db.close();
    throw err instanceof DaveError ? err : new DaveError('ERR_DATABASE', `cannot read ${dir}: ${String(err)}`, { cause: err });
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
