/**
 * Mapping of abstract-level errors to DaveError codes, by `err.code`
 * (never by message).
 */
import { DaveError } from '../errors.js';

interface CodedError {
  code?: unknown;
  cause?: { code?: unknown };
}

/**
 * True when `err` is classic-level's "another process holds the lock": an
 * open failing with LEVEL_DATABASE_NOT_OPEN caused by LEVEL_LOCKED (or
 * LEVEL_LOCKED itself).
 */
export function isLockedError(err: unknown): boolean {
  const e = err as CodedError | null;
  return e?.code === 'LEVEL_LOCKED' || (e?.code === 'LEVEL_DATABASE_NOT_OPEN' && e.cause?.code === 'LEVEL_LOCKED');
}

/** True when LevelDB reported corruption while opening (or reading). */
export function isCorruptionError(err: unknown): boolean {
  const e = err as CodedError | null;
  return e?.code === 'LEVEL_CORRUPTION' || e?.cause?.code === 'LEVEL_CORRUPTION';
}

/** True when LevelDB reported an I/O error (LEVEL_IO_ERROR, also as the cause of a failed open). */
export function isIoError(err: unknown): boolean {
  const e = err as CodedError | null;
  return e?.code === 'LEVEL_IO_ERROR' || e?.cause?.code === 'LEVEL_IO_ERROR';
}

/** `err` as a DaveError: unchanged when it is one, else ERR_DATABASE with `err` as cause. */
export function databaseError(err: unknown, doing: string): DaveError {
  if (err instanceof DaveError) return err;
  const e = err as (CodedError & { cause?: { message?: unknown } }) | null;
  const code = e?.code;
  const detail = typeof code === 'string' ? ` (${code})` : '';
  const why = typeof e?.cause?.message === 'string' ? `: ${e.cause.message}` : '';
  return new DaveError('ERR_DATABASE', `database failed while ${doing}${detail}${why}`, { cause: err });
}
