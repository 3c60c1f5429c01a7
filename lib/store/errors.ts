/**
 * Mapping of abstract-level errors to DaveError codes, by `err.code`
 * (never by message).
 */
import { DaveError } from '../errors.js';

interface CodedError {
  code?: unknown;
  cause?: { code?: unknown };
}

/** True when `err` is classic-level's "another process holds the lock". */
export function isLockedError(err: unknown): boolean {
  const e = err as CodedError | null;
  return e?.code === 'LEVEL_DATABASE_NOT_OPEN' && e.cause?.code === 'LEVEL_LOCKED';
}

/** `err` as a DaveError: unchanged when it is one, else ERR_DATABASE with `err` as cause. */
export function databaseError(err: unknown, doing: string): DaveError {
  if (err instanceof DaveError) return err;
  const code = (err as CodedError | null)?.code;
  const detail = typeof code === 'string' ? ` (${code})` : '';
  return new DaveError('ERR_DATABASE', `database failed while ${doing}${detail}`, { cause: err });
}
