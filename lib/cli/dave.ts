#!/usr/bin/env node
/**
 * `dave`: the command. `dave start` runs a node (and is what a bare
 * `dave --listen ...` of earlier versions still runs); `dave shell`,
 * `dave put|get|del|ls|status|peers|ticket|backup` talk to a running
 * node's HTTP API; `dave key` makes and shows user keys; `dave devnet`
 * runs a local network. Every failure is one line (lib/cli/fail.ts).
 */
import { parseArgs } from 'node:util';
import { findApi } from './api-files.js';
import { EXIT_USAGE, UsageError, messageOf, report } from './fail.js';
import { DEFAULT_DATA } from './start-options.js';

// Commands are loaded when used, so a one-shot command does not pay for
// the node, the logger and the metrics library at start-up.
const CLIENT_COMMANDS: Record<string, string> = {
  put: '<key> <value>      write a record (signed by the node\'s user key, or --key-file)',
  get: '<owner|me> <key>   read a record; exit 1 when not found',
  del: '<key>              delete a record (a newer one with an empty value)',
  ls: '[prefix]           records of an owner held by the node (--owner HEX --limit N --after CURSOR)',
  status: '                the node\'s ID, addresses, peers and space',
  peers: '                 the node\'s peer table',
  ticket: '                the node\'s join ticket',
  backup: '<file>          a live godave-format backup of the node\'s records',
};

const USAGE = `usage: dave <command> [options]

commands:
  start                  run a node (dave start --help for its options)
  shell [--api URL]      a shell on a running node's API
  devnet [--nodes N] [--dir DIR]   N nodes on loopback with a shell
  key new|show [--file FILE]       user keys (default DIR/user.key)
${Object.entries(CLIENT_COMMANDS)
  .map(([c, s]) => `  ${c} ${s}`)
  .join('\n')}

The one-shot commands and shell reach the node through its socket in the
data directory (--data DIR, default ${DEFAULT_DATA}: DIR/api.sock, no token
needed) or take --api URL with a token from --api-token-file FILE,
$DAVE_API_TOKEN or --token TOKEN (argv is visible to every local user);
--json prints JSON. Exit status: 0 done, 1 not found, 2 error.
`;

async function runShellCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { api: { type: 'string' }, token: { type: 'string' }, 'api-token-file': { type: 'string' }, data: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    throw new UsageError(`shell: ${messageOf(err)}`);
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
  if (cmd === undefined || cmd.startsWith('-')) {
    if (cmd === '--help' || cmd === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    return exitWhenDone((await import('./start.js')).runStart(argv)); // `dave --listen ...`: the earlier form of dave start
  }
  if (cmd === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cmd === 'start') return exitWhenDone((await import('./start.js')).runStart(rest));
  if (cmd === 'shell') return runShellCommand(rest);
  if (cmd === 'devnet') return exitWhenDone((await import('./devnet.js')).runDevnet(rest));
  if (cmd === 'key') return (await import('./key.js')).runKey(rest);
  if (cmd in CLIENT_COMMANDS) {
    try {
      return await (await import('./client-commands.js')).runClientCommand(cmd, rest);
    } catch (err) {
      report(err);
      return EXIT_USAGE; // one-shot commands: every error is 2 (1 means not found)
    }
  }
  throw new UsageError(`unknown command ${JSON.stringify(cmd)} (dave --help lists them)`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.exitCode = report(err);
}
