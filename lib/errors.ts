/**
 * The one error class of Dave. Every failure carries a stable `code`;
 * match on `err.code`, never on the message.
 */

export const ERROR_CODES = [
  // wire codec
  'ERR_TRUNCATED', // input ends before the field it must hold
  'ERR_TOO_LARGE', // a length over its protocol maximum
  'ERR_BAD_LENGTH', // a length field that disagrees with the bytes, or trailing bytes
  'ERR_UNKNOWN_OP', // op code not defined, or reserved (PUT_ACK)
  'ERR_BAD_TIME', // a time that is not a safe integer of milliseconds
  'ERR_BAD_ADDRESS', // an address that does not parse
  // arguments
  'ERR_INVALID_ARGUMENT',
  // record verification (docs/protocol.md §4), in the order they are checked
  'ERR_FUTURE_TIME',
  'ERR_BAD_PUBKEY',
  'ERR_INSUFFICIENT_WORK',
  'ERR_BAD_WORK',
  'ERR_BAD_SIGNATURE',
  // storage (docs/protocol.md §9)
  'ERR_PUBKEY_MISMATCH',
  'ERR_OLDER_THAN_STORED',
  'ERR_DUPLICATE',
  'ERR_INSUFFICIENT_PRIORITY',
  'ERR_STORAGE_FULL',
  'ERR_DATABASE_IN_USE',
  'ERR_DATABASE_CORRUPT', // a directory of LevelDB files that is not a readable database: dave-db repair
  'ERR_DATABASE',
  'ERR_STORAGE_UNAVAILABLE', // the database refuses writes (disk full, permissions, file limit): retried, resumes by itself
  'ERR_CLOSED',
  // node
  'ERR_NOT_FOUND',
  'ERR_TIMEOUT',
  'ERR_ABORTED', // the caller's AbortSignal fired
  'ERR_OVERLOADED', // a bounded queue is full (reads in flight, records awaiting verification): retry later
  'ERR_NO_ACTIVE_PEERS',
  'ERR_CONNECTION',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class DaveError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DaveError';
    this.code = code;
  }
}

/**
 * Throws ERR_INVALID_ARGUMENT with `msg` (which names the argument): the one
 * argument-check failure every public entry point uses.
 */
export function invalidArgument(msg: string): never {
  throw new DaveError('ERR_INVALID_ARGUMENT', msg);
}

/** True when `err` is a DaveError, optionally with the given code. */
export function isDaveError(err: unknown, code?: ErrorCode): err is DaveError {
  return err instanceof DaveError && (code === undefined || err.code === code);
}
