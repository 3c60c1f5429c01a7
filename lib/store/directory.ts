/**
 * Opening a database directory, for the store and for dave-db alike: the
 * one place that decides whether a directory may be opened or created.
 *
 * LevelDB, asked to open a directory whose CURRENT file is missing (a
 * partial copy, a bad restore), creates a new, empty database there and
 * deletes the old table files as obsolete. So a directory is only ever
 * created into when it is missing or empty; a directory holding LevelDB
 * files without CURRENT is refused as ERR_DATABASE_CORRUPT (`dave-db
 * repair` rebuilds it), and one holding anything else is refused as not
 * a Dave database. Nothing is written before these checks.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClassicLevel } from 'classic-level';

/**
 * classic-level, loaded on first use: importing the package must not load
 * LevelDB's native binding for a user who never opens a directory.
 */
async function classicLevel(): Promise<typeof ClassicLevel> {
  return (await import('classic-level')).ClassicLevel;
}
import { DaveError } from '../errors.js';
import { databaseError, isCorruptionError, isIoError, isLockedError } from './errors.js';
import { classifyFault } from './health.js';

/** classic-level options the store uses for a directory: binary keys and values. */
export const CLASSIC_LEVEL_OPTIONS = { keyEncoding: 'view', valueEncoding: 'view' } as const;

/**
 * Files that hold no records: the node key (`dave` keeps it in its data
 * directory), LevelDB's lock and logs (an open that failed leaves them),
 * and what file systems put in a new directory or mount point.
 */
const NO_RECORDS = new Set(['node.key', 'LOCK', 'LOG', 'LOG.old', 'lost+found', '.DS_Store']);
/**
 * The `dave` command's own files in its data directory, which may come
 * before the database (`dave key new` writes user.key first): key files
 * (node.key, user.key, any *.key), the API's token and its URL.
 */
const CLI_FILES = /^(.+\.key|api\.token|api\.url)$/;

/** Names of the LevelDB files that hold data. */
const LEVELDB_DATA = /^(MANIFEST-\d+|\d+\.(ldb|sst|log)|lost)$/;

export type DirectoryState =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'database' }
  /**
   * LevelDB files, but no CURRENT (LevelDB would start over and delete
   * them), or a CURRENT naming a manifest that is gone.
   */
  | { kind: 'damaged'; files: string[] }
  /** Something that is not a LevelDB database. */
  | { kind: 'foreign'; files: string[] };

/**
 * What `dir` holds, read without changing anything.
 * @throws DaveError ERR_DATABASE (a path that is not a directory, or unreadable)
 */
export async function inspectDirectory(dir: string): Promise<DirectoryState> {
  let names: string[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new DaveError('ERR_DATABASE', `no database at ${dir}: not a directory`);
    names = await readdir(dir);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { kind: 'missing' };
    if (err instanceof DaveError) throw err;
    throw new DaveError('ERR_DATABASE', `cannot read ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const files = names.filter((n) => !NO_RECORDS.has(n) && !CLI_FILES.test(n));
  if (names.includes('CURRENT')) {
    // CURRENT names the manifest; without it LevelDB cannot open the files either
    const manifest = await currentManifest(dir);
    return manifest === undefined || names.includes(manifest) ? { kind: 'database' } : { kind: 'damaged', files };
  }
  if (files.length === 0) return { kind: 'empty' };
  if (files.some((f) => LEVELDB_DATA.test(f))) return { kind: 'damaged', files };
  return { kind: 'foreign', files };
}

/** The manifest file CURRENT names, or undefined when CURRENT cannot be read as one. */
async function currentManifest(dir: string): Promise<string | undefined> {
  try {
    const name = (await readFile(join(dir, 'CURRENT'), 'utf8')).trim();
    return /^MANIFEST-\d+$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The error for a directory LevelDB must not open: damaged, or holding other files. */
export function refusal(dir: string, state: DirectoryState): DaveError | undefined {
  if (state.kind === 'damaged') {
    const what = state.files.includes('CURRENT') ? 'a CURRENT file naming a missing manifest' : 'no CURRENT file';
    return new DaveError(
      'ERR_DATABASE_CORRUPT',
      `${dir} holds LevelDB files but ${what}, so it is not a readable database (a partial copy or a ` +
        `damaged disk?). Nothing was changed. Run "dave-db repair ${dir}" to rebuild it from its files, ` +
        `or restore a complete copy.`,
    );
  }
  if (state.kind === 'foreign') {
    const some = state.files.slice(0, 3).join(', ') + (state.files.length > 3 ? ', ...' : '');
    return new DaveError(
      'ERR_DATABASE',
      `${dir} is not a Dave database: it holds other files (${some}) and no database. ` +
        `Nothing was changed. Give an empty or new directory.`,
    );
  }
  return undefined;
}

/** ERR_DATABASE_IN_USE for a LevelDB lock held elsewhere; `what` names the database. */
export function inUseError(err: unknown, what: string): DaveError {
  return new DaveError(
    'ERR_DATABASE_IN_USE',
    `database in use: ${what} is open in another process (is a node running?)`,
    { cause: err },
  );
}

/** ERR_DATABASE_CORRUPT for a database LevelDB reports as corrupt. */
export function corruptError(err: unknown, dir: string): DaveError {
  const e = err as { message?: string; cause?: { message?: string } };
  const detail = e.cause?.message ?? e.message;
  return new DaveError(
    'ERR_DATABASE_CORRUPT',
    `the database at ${dir} is damaged${detail ? ` (${detail})` : ''}. Run "dave-db repair ${dir}", ` +
      `or restore a complete copy.`,
    { cause: err },
  );
}

/**
 * A corruption or I/O error met while opening (or scanning at open) the
 * database at `dir`: ERR_STORAGE_UNAVAILABLE when the cause is the disk
 * (full), permissions or the file limit (nothing is wrong with the files:
 * fix that and start again), else ERR_DATABASE_CORRUPT with the repair
 * advice.
 */
export function damagedError(err: unknown, dir: string): DaveError {
  const fault = classifyFault(err, Date.now());
  if (fault.cause !== 'I/O error') {
    return new DaveError(
      'ERR_STORAGE_UNAVAILABLE',
      `cannot open the database at ${dir}: ${fault.cause} (${fault.message}). To fix: ${fault.advice}; then start again.`,
      { cause: err },
    );
  }
  return corruptError(err, dir);
}

/** True for the errors damagedError maps. */
export function isDamage(err: unknown): boolean {
  return isCorruptionError(err) || isIoError(err);
}

/** Maps an error of opening the directory `dir` to a DaveError. */
export function openError(err: unknown, dir: string): DaveError {
  if (isLockedError(err)) return inUseError(err, dir);
  if (isDamage(err)) return damagedError(err, dir);
  return databaseError(err, `opening ${dir}`);
}

/**
 * Opens the database in directory `dir`. With `create`, a missing or empty
 * directory gets a new database; without, it is refused ("no database at").
 * @throws DaveError ERR_INVALID_ARGUMENT (empty path), ERR_DATABASE_CORRUPT,
 *   ERR_DATABASE_IN_USE, ERR_DATABASE (no database, not a Dave database,
 *   another failure)
 */
/**
 * Makes `dir` (and missing parents) 0700 whatever the umask: the files
 * LevelDB then makes inside are out of other users' reach.
 * @throws DaveError ERR_DATABASE
 */
function createPrivateDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (err) {
    throw new DaveError('ERR_DATABASE', `cannot create ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

export async function openDirectory(dir: string, create: boolean): Promise<ClassicLevel<Uint8Array, Uint8Array>> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new DaveError('ERR_INVALID_ARGUMENT', 'options.database must not be an empty path');
  }
  const state = await inspectDirectory(dir);
  const refused = refusal(dir, state);
  if (refused) throw refused;
  const fresh = state.kind === 'missing' || state.kind === 'empty';
  if (fresh && !create) {
    throw new DaveError(
      'ERR_DATABASE',
      `no database at ${dir}: ${state.kind === 'missing' ? 'no such directory' : 'the directory holds no LevelDB database'}`,
    );
  }
  if (state.kind === 'missing') createPrivateDirectory(dir);
  const Level = await classicLevel();
  const db = new Level<Uint8Array, Uint8Array>(dir, { ...CLASSIC_LEVEL_OPTIONS, createIfMissing: fresh });
  try {
    await db.open();
  } catch (err) {
    throw openError(err, dir);
  }
  return db;
}

/**
 * Rebuilds the LevelDB database in `dir` from whatever table and log files
 * it holds (LevelDB's RepairDB), e.g. after its CURRENT or MANIFEST file was
 * lost. Records in damaged files may be lost; files LevelDB cannot use are
 * moved to `dir/lost`.
 * @throws DaveError ERR_DATABASE (no such directory, not a LevelDB
 *   directory), ERR_DATABASE_IN_USE, ERR_DATABASE_CORRUPT (repair failed)
 */
export async function repairDirectory(dir: string): Promise<void> {
  const state = await inspectDirectory(dir);
  if (state.kind === 'missing') throw new DaveError('ERR_DATABASE', `no database at ${dir}: no such directory`);
  if (state.kind === 'empty') throw new DaveError('ERR_DATABASE', `no database at ${dir}: the directory is empty`);
  if (state.kind === 'foreign') throw refusal(dir, state)!;
  // LevelDB takes the directory's lock before it looks for CURRENT: an open
  // that must not create tells whether another process holds the database.
  const Level = await classicLevel();
  const probe = new Level(dir, { createIfMissing: false });
  try {
    await probe.open();
    await probe.close();
  } catch (err) {
    if (isLockedError(err)) throw inUseError(err, dir);
  }
  try {
    await Level.repair(dir);
  } catch (err) {
    throw new DaveError('ERR_DATABASE_CORRUPT', `repair of ${dir} failed: ${(err as Error).message}`, { cause: err });
  }
}
