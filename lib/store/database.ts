/**
 * Opening the database a store runs on: a directory path opens classic-level
 * (the embedded default), an abstract-level instance is used as given (and
 * never closed by the store), nothing gives a fresh memory-level.
 */
import { MemoryLevel } from 'memory-level';
import { DaveError } from '../errors.js';
import { FORMAT_KEY, FORMAT_VERSION, metaLevel, type AnyLevel } from './layout.js';
import { databaseError, isLockedError } from './errors.js';
import { CLASSIC_LEVEL_OPTIONS, inUseError, openDirectory } from './directory.js';

export { CLASSIC_LEVEL_OPTIONS } from './directory.js';

/** A database ready for the store, and whether the store must close it. */
export interface OpenedDatabase {
  db: AnyLevel;
  /** The store opened it, so the store closes it. */
  owned: boolean;
  /**
   * A database handed in closed that the store reopened: not owned (the
   * caller keeps it across the store's close), but closed again when the
   * store fails to open on it, leaving it as it came.
   */
  reopened: boolean;
  /** Directory, for a classic-level the store opened. */
  location?: string;
}

/**
 * Opens (or waits for) the database named by `database`.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_DATABASE_IN_USE (a directory,
 *   by path or as a database handed in, whose LevelDB lock is held elsewhere),
 *   ERR_DATABASE_CORRUPT (a directory of LevelDB files that is not a readable
 *   database), ERR_DATABASE (also a directory holding other files)
 */
export async function openDatabase(database: string | AnyLevel | undefined): Promise<OpenedDatabase> {
  if (database === undefined) {
    // Stored as views: what the store writes is what memory-level keeps (see GroupWriter).
    const db = new MemoryLevel<Uint8Array, Uint8Array>({ ...CLASSIC_LEVEL_OPTIONS, storeEncoding: 'view' });
    await db.open();
    return { db, owned: true, reopened: false };
  }
  if (typeof database === 'string') return openOwnDirectory(database);
  if (database === null || typeof database !== 'object' || typeof database.sublevel !== 'function') {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'options.database must be a directory path or an abstract-level database');
  }
  let reopened = false;
  try {
    // A database the caller made is opening or open (abstract-level opens on
    // construction); a closed one is reopened. A passive open that fails
    // leaves it closed without saying why (LEVEL_LOCKED is only the cause of
    // an open's own failure), so it is opened once more to learn the reason.
    if (!isClosed(database)) {
      try {
        await database.open({ passive: true });
      } catch (err) {
        if (!isClosed(database)) throw err;
      }
    }
    if (isClosed(database)) {
      await database.open();
      reopened = true;
    }
  } catch (err) {
    if (isLockedError(err)) throw inUseError(err, 'the given database');
    throw databaseError(err, 'opening the given database');
  }
  return { db: database, owned: false, reopened };
}

/** Read through a call, so a status read after an await is not narrowed away. */
function isClosed(db: AnyLevel): boolean {
  return db.status === 'closed';
}

async function openOwnDirectory(location: string): Promise<OpenedDatabase> {
  return { db: await openDirectory(location, true), owned: true, reopened: false, location };
}

/**
 * Checks the format marker in the meta sublevel. A database without one is
 * new only when it holds no key at all: then, with `create`, the marker is
 * written. One holding keys but no marker is another program's database.
 * Returns the format found or written (undefined: an empty database, not
 * created into).
 * @throws DaveError ERR_DATABASE (another format, not a Dave database, or a
 *   failed read or write)
 */
export async function checkFormat(db: AnyLevel, create = true, what = 'the database'): Promise<string | undefined> {
  const meta = metaLevel(db);
  let found: Uint8Array | undefined;
  let empty = false;
  try {
    found = await meta.get(FORMAT_KEY);
    if (found === undefined) {
      empty = true;
      for await (const _ of db.keys({ limit: 1 })) empty = false;
      if (empty && create) await meta.put(FORMAT_KEY, new TextEncoder().encode(FORMAT_VERSION));
    }
  } catch (err) {
    throw databaseError(err, 'reading the format marker');
  }
  if (found === undefined) {
    if (!empty) {
      throw new DaveError(
        'ERR_DATABASE',
        `${what} is not a Dave database: a LevelDB database without Dave's format marker (another program's?). ` +
          'Nothing was changed.',
      );
    }
    return create ? FORMAT_VERSION : undefined;
  }
  const text = new TextDecoder().decode(found);
  if (text !== FORMAT_VERSION) {
    throw new DaveError('ERR_DATABASE', `${what} holds a database of format "${text}", this version reads "${FORMAT_VERSION}"`);
  }
  return text;
}
