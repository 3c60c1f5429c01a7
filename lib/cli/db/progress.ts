/**
 * A progress indicator on stderr for long runs. On a terminal: a bar
 * redrawn in place at most 10 times a second, erased at the end. Elsewhere
 * (logs, pipes): one line every `every` ms, and only once a run has lasted
 * that long, so short runs and tests stay quiet.
 */
import type { Writable } from 'node:stream';

export interface ProgressOptions {
  /** Draw a bar in place (stderr is a terminal). */
  tty: boolean;
  /** Total units, when known (shows a bar and a percentage). */
  total?: number;
  /** Period of plain lines when not on a terminal, ms. Default 10 s. */
  every?: number;
  now?: () => number;
}

const WIDTH = 30;

export class Progress {
  private readonly started: number;
  private last: number;
  private drawn = false;

  constructor(
    private readonly stream: Writable,
    private readonly label: string,
    private readonly options: ProgressOptions,
  ) {
    this.started = this.now();
    this.last = this.options.tty ? 0 : this.started;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private text(done: number, note: string): string {
    const total = this.options.total;
    const tail = note ? `, ${note}` : '';
    if (total === undefined || total === 0) return `${this.label}: ${done}${tail}`;
    const f = Math.min(1, done / total);
    const full = Math.round(f * WIDTH);
    const bar = '#'.repeat(full) + '-'.repeat(WIDTH - full);
    return `${this.label} [${bar}] ${Math.floor(f * 100)}% ${done}/${total}${tail}`;
  }

  /** Reports `done` units so far; draws when due. */
  update(done: number, note = ''): void {
    const t = this.now();
    if (this.options.tty) {
      if (t - this.last < 100) return;
      this.stream.write(`\r${this.text(done, note)}\x1b[K`);
      this.drawn = true;
    } else {
      if (t - this.last < (this.options.every ?? 10_000)) return;
      this.stream.write(this.text(done, note) + '\n');
    }
    this.last = t;
  }

  /** Erases the bar on a terminal, so a message can be written; the next update redraws it. */
  clear(): void {
    if (this.options.tty && this.drawn) {
      this.stream.write('\r\x1b[K');
      this.drawn = false;
      this.last = 0;
    }
  }

  /** Ends the run: erases the bar on a terminal. */
  finish(): void {
    this.clear();
  }
}
