/**
 * Log lines and the shell's prompt on one terminal. While a shell prompt
 * is shown, a log line (the status line every minute, a peer message)
 * would be written in the middle of what the user is typing. The guard
 * clears the prompt line, writes the log text, and has node:readline
 * redraw the prompt with the typed input and the cursor where they were
 * (`rl.prompt(true)`). Without a prompt (no shell, or not a terminal) text
 * passes straight through.
 */
import { clearLine, cursorTo, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

export class PromptGuard {
  private rl: Interface | null = null;

  /** `terminal`: where the prompt is drawn (the shell's output). */
  constructor(private readonly terminal: NodeJS.WritableStream) {}

  /** A shell shows its prompt through `rl` (only on a terminal: a pipe has no line to redraw). */
  attach(rl: Interface): void {
    this.rl = rl;
  }

  detach(rl: Interface): void {
    if (this.rl === rl) this.rl = null;
  }

  /** Writes `text` to `target` above the prompt, then redraws the prompt and the input. */
  write(target: NodeJS.WritableStream, text: string | Uint8Array): void {
    const rl = this.rl;
    if (rl === null) {
      target.write(text);
      return;
    }
    cursorTo(this.terminal, 0);
    clearLine(this.terminal, 0);
    target.write(text);
    rl.prompt(true);
  }

  /** A stream that writes through the guard to `target` (a logger's destination). */
  stream(target: NodeJS.WritableStream): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.write(target, chunk);
        done();
      },
    });
  }
}
