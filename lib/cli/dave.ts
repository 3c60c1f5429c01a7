#!/usr/bin/env node
/**
 * `dave`: the command. `dave` alone lists the commands (cli/help.ts);
 * `dave start` runs a node (and is what a bare `dave --listen ...` of
 * earlier versions still runs); `dave shell`, `dave
 * put|get|del|ls|status|peers|ticket|join|backup` talk to a running
 * node's HTTP API; `dave key` makes and shows user keys; `dave devnet`
 * runs a local network. `dave <command> --help` prints a command's usage.
 * Every failure is one line (lib/cli/fail.ts); a usage error points to
 * the command's --help.
 */
import { parseArgs } from 'node:util';
import { findApi } from './api-files.js';
import { EXIT_USAGE, UsageError, report } from './fail.js';
import { DEFAULT_DATA } from './start-options.js';
import { COMMAND_USAGE, USAGE, pointToHelp } from './help.js';
import { argsError } from './args.js';

// Commands are loaded when used, so a one-shot command does not pay for
// the node, the logger and the metrics library at start-up.
const CLIENT_COMMANDS = new Set(['put', 'get', 'del', 'ls', 'status', 'peers', 'ticket', 'join', 'backup']);

async function runShellCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { api: { type: 'string' }, token: { type: 'string' }, 'api-token-file': { type: 'string' }, data: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    throw new UsageError(`shell: ${argsError(err, argv)}`);
  }
  const target = findApi(values.data ?? DEFAULT_DATA, values.api, { token: values.token, tokenFile: values['api-token-file'] });
  const { HttpClient } = await import('../api/client.js');
  const { runShell } = await import('./shell.js');
  const client = new HttpClient(target, target.token);
  await client.status(); // fail now, with one line, when nothing answers
  await runShell({ targets: [{ name: 'dave', client }] });
  return 0;
}

/** A node command ends the process when it is done (a shell may still hold stdin). */
async function exitWhenDone(run: Promise<number>): Promise<number> {
  const code = await run;
  process.exit(code);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  // dave, dave --help, dave help: the commands; a node starts with dave start
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || (cmd === 'help' && rest.length === 0)) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cmd === 'help' || ((cmd in COMMAND_USAGE) && (rest.includes('--help') || rest.includes('-h')))) {
    const which = cmd === 'help' ? rest[0]! : cmd;
    if (!(which in COMMAND_USAGE)) throw new UsageError(`help: no command ${JSON.stringify(which)} (dave --help lists them)`);
    process.stdout.write(COMMAND_USAGE[which]!);
    return 0;
  }
  // `dave --listen ...`: the earlier form of dave start
  if (cmd.startsWith('-')) return exitWhenDone((await import('./start.js')).runStart(argv));
  if (cmd === 'start') return exitWhenDone((await import('./start.js')).runStart(rest));
  if (cmd === 'shell') return runShellCommand(rest);
  if (cmd === 'devnet') return exitWhenDone((await import('./devnet.js')).runDevnet(rest));
  if (cmd === 'key') return (await import('./key.js')).runKey(rest);
  if (CLIENT_COMMANDS.has(cmd)) {
    try {
      return await (await import('./client-commands.js')).runClientCommand(cmd, rest);
    } catch (err) {
      report(err instanceof UsageError ? new UsageError(pointToHelp(err.message, cmd)) : err);
      return EXIT_USAGE; // one-shot commands: every error is 2 (1 means not found)
    }
  }
  throw new UsageError(`unknown command ${JSON.stringify(cmd)} (dave --help lists them)`);
}

const command = process.argv[2];
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.exitCode = report(err instanceof UsageError ? new UsageError(pointToHelp(err.message, command?.startsWith('-') ? 'start' : command)) : err);
}
