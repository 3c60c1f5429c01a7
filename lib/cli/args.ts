/**
 * node:util parseArgs errors as one line a person can act on. parseArgs
 * writes several lines, and for `--capacity -5` says only that the
 * argument "is ambiguous".
 */
import { messageOf } from './fail.js';

/** Options whose value is a size (cli/size.ts). */
const SIZE_OPTIONS = new Set(['capacity', 'cache']);

/** One line for a parseArgs failure on `argv`. */
export function argsError(err: unknown, argv: string[]): string {
  const msg = messageOf(err);
  const ambiguous = /^Option '--([^' ]+)' argument is ambiguous/.exec(msg);
  if (ambiguous) {
    const name = ambiguous[1]!;
    const i = argv.findIndex((a) => a === `--${name}`);
    const value = i >= 0 ? argv[i + 1] : undefined;
    if (value !== undefined && /^-\d/.test(value) && SIZE_OPTIONS.has(name)) {
      return `--${name} ${value}: a size cannot be negative (examples: 1073741824, 512MB, 2GiB)`;
    }
    return `--${name} ${value ?? ''}: a value that starts with "-" looks like an option; write --${name}=${value ?? 'VALUE'} if you mean it`;
  }
  return msg.replace(/\s*\n\s*/g, '; ');
}
