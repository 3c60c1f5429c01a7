/**
 * classic-level (LevelDB on disk): the embedded default. `Store.open({
 * database: dir })` opens it the same way; use this factory to pass your own
 * LevelDB options, or to share one database between the store and other
 * sublevels of your own.
 */
import { ClassicLevel, type DatabaseOptions } from 'classic-level';

export type ClassicLevelDatabase = ClassicLevel<Uint8Array, Uint8Array>;

/**
 * A classic-level database at `location` (created if missing) with binary
 * keys and values. It opens itself; a second process opening the same
 * directory fails with LEVEL_LOCKED, which the store reports as
 * ERR_DATABASE_IN_USE.
 */
export function createClassicLevel(
  location: string,
  options: Omit<DatabaseOptions<Uint8Array, Uint8Array>, 'keyEncoding' | 'valueEncoding'> = {},
): ClassicLevelDatabase {
  return new ClassicLevel<Uint8Array, Uint8Array>(location, { ...options, keyEncoding: 'view', valueEncoding: 'view' });
}
