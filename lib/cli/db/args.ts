/**
 * Argument parsing for dave-db commands, on node:util parseArgs (strict:
 * unknown options and missing values are errors). Every failure is a
 * DaveError ERR_INVALID_ARGUMENT, which the CLI turns into usage + exit 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DaveError } from '../../errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` for a command taking exactly the `names` positionals.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function parseCommand(command: string, argv: string[], names: string[], options: Options = {}): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${command}: ${(err as Error).message}`);
  }
  if (parsed.positionals.length !== names.length) {
    const which = parsed.positionals.length < names.length ? 'missing' : 'too many arguments;';
    throw new DaveError('ERR_INVALID_ARGUMENT', `${command}: ${which} expected ${names.map((n) => `<${n}>`).join(' ')}`);
  }
  return parsed;
}

/**
 * A non-negative integer option, or `fallback` when absent.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function intOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}
