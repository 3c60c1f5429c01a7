/**
 * What a dave-db command talks to: output streams, the clock, and whether
 * to draw progress. Commands take a CliIO and return an exit status, so
 * tests run them in-process with collecting streams.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Exit statuses of dave-db. */
export const EXIT_OK = 0;
/** Bad records were found (listed on the way). */
export const EXIT_BAD_RECORDS = 1;
/** Could not run: bad arguments, no database, database in use, I/O error. */
export const EXIT_USAGE = 2;

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  /** Draw a progress bar on stderr. Default: stderr is a TTY. */
  progress?: boolean;
  /** Clock in ms (verification of record times). Default Date.now. */
  now?: () => number;
}

/**
 * Line output with backpressure. A closed pipe (EPIPE, as in
 * `dave-db dump db | head`) is not an error: `closed` turns true and
 * commands stop producing output. Any stream error is kept in `error`,
 * and the stream counts as closed.
 */
export class Output {
  closed = false;
  /** The stream's error, if it failed. */
  error: Error | undefined;

  constructor(private readonly stream: Writable) {
    stream.on('error', (err: Error) => {
      this.closed = true;
      this.error ??= err;
    });
  }

  /** Writes `text` and a newline; waits when the stream's buffer is full. */
  async line(text: string): Promise<void> {
    if (this.closed || this.stream.destroyed) {
      this.closed = true;
      return;
    }
    if (!this.stream.write(text + '\n')) {
      try {
        await once(this.stream, 'drain');
      } catch {
        this.closed = true;
      }
    }
  }
}

/** The error message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
