/**
 * One style for every failure of the `dave` command: a single line on
 * stderr, "dave: " and the problem (with its error code when it has one),
 * exit status 2 for bad usage and 1 for a failure at run time. Never a
 * stack trace.
 */
import { isDaveError } from '../errors.js';
import { ApiCallError } from '../api/client.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad arguments: exit 2. */
export class UsageError extends Error {}

/** A failure while running (file, network, database): exit 1 unless `exitCode` says otherwise. */
export class RunError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_FAILURE,
  ) {
    super(message);
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The line for `err`, without the "dave: " prefix. */
export function describe(err: unknown): string {
  if (isDaveError(err)) return `${err.message} (${err.code})`;
  if (err instanceof ApiCallError && err.code === 'ERR_UNAUTHORIZED') {
    return `${err.message} (${err.code}); give it with --api-token-file FILE or DAVE_API_TOKEN, or run on the node's host, where the CLI uses DIR/api.sock`;
  }
  if (err instanceof ApiCallError) return `${err.message} (${err.code})`;
  return messageOf(err);
}

/** Writes the line for `err` and returns the exit status. */
export function report(err: unknown, stderr: NodeJS.WritableStream = process.stderr, usageExit = EXIT_USAGE): number {
  stderr.write(`dave: ${describe(err)}\n`);
  if (err instanceof UsageError) return usageExit;
  if (err instanceof RunError) return err.exitCode;
  return EXIT_FAILURE;
}
