/**
 * The interactive shell (node:readline: line editing and history on a
 * terminal; plain lines from a pipe). It drives one or more nodes through
 * the NodeClient interface, so it works in-process (`dave start`, `dave
 * devnet`) and over HTTP (`dave shell --api URL`). Bad input gets one
 * line; nothing a user types ends the shell except quit or end of input.
 */
import { listPage } from './list-page.js';
import { createInterface } from 'node:readline';
import type { NodeClient } from '../api/views.js';
import { describe } from './fail.js';
import { joinText, listText, notFoundText, peersText, recordText, statusText, whereWritten } from './format.js';
import type { PromptGuard } from './prompt-guard.js';

export interface ShellTarget {
  name: string;
  client: NodeClient;
}

export interface ShellOptions {
  targets: ShellTarget[];
  /** Log lines go above the prompt, which is redrawn (cli/prompt-guard.ts). */
  guard?: PromptGuard;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
}

const HELP = `commands:
  put <key> <value>      write a record signed with this node's user key
  get <owner|me> <key>   read a record and its replicas (owner: a public
                         key in hex, or me)
  del <key>              delete: writes a newer record with an empty value
  ls [prefix]            your records held on this node, by key prefix
  status                 ID, addresses, peers, space, network estimate
  peers                  the peer table
  ticket                 this node's join ticket (dave start --edge TICKET)
  join <ticket|address> [--save]
                         add an edge now (a ticket, ip:port or host:port);
                         --save keeps it for the next start
  use <n>                switch node (devnet)
  help                   this text
  quit                   leave (stops a node started by this command)

"me" is the user key of the node you are on (status shows it): a record
written through a node with another user key is not "me" here; give its
owner's public key in hex (the devnet shares one user key, so me works
on every node of it).`;

/** Splits a line into words; "double quotes" keep spaces. */
export function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Runs one command line; returns the text to print, or null for quit. */
export async function runLine(line: string, state: { targets: ShellTarget[]; current: number }): Promise<string | null> {
  const [cmd, ...args] = words(line);
  const c = state.targets[state.current]!.client;
  const need = (n: number, usage: string) => {
    if (args.length < n) throw new Error(`usage: ${usage}`);
  };
  switch (cmd) {
    case undefined:
      return '';
    case 'put': {
      need(2, 'put <key> <value>');
      const r = await c.put(args[0]!, args.slice(1).join(' '));
      return `ok: ${args[0]} written at ${r.timeIso}; ${whereWritten(r)}`;
    }
    case 'get': {
      need(2, 'get <owner|me> <key>');
      const r = await c.get(args[0]!, args[1]!);
      return r === null ? notFoundText(c, args[0]!) : recordText(r);
    }
    case 'join': {
      const save = args.includes('--save');
      const rest = args.filter((a) => a !== '--save');
      if (rest.length !== 1) throw new Error('usage: join <ticket|address> [--save]');
      return joinText(await c.join(rest[0]!, save));
    }
    case 'del': {
      need(1, 'del <key>');
      const r = await c.del(args[0]!);
      return `ok: ${args[0]} deleted at ${r.timeIso}; ${whereWritten(r)}`;
    }
    case 'ls': {
      const page = await listPage(c, 'me', { prefix: args[0] });
      return listText(page.records, page.next);
    }
    case 'status':
      return statusText(await c.status());
    case 'peers':
      return peersText(await c.peers());
    case 'ticket':
      return (await c.status()).ticket;
    case 'use': {
      const n = Number(args[0]);
      if (!Number.isInteger(n) || n < 1 || n > state.targets.length) throw new Error(`usage: use <n>, n from 1 to ${state.targets.length}`);
      state.current = n - 1;
      return `now on ${state.targets[state.current]!.name}`;
    }
    case 'help':
    case '?':
      return HELP;
    case 'quit':
    case 'exit':
      return null;
    default:
      throw new Error(`unknown command ${JSON.stringify(cmd)}; type help`);
  }
}

/** Reads commands until quit or end of input. */
export async function runShell(o: ShellOptions): Promise<void> {
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stdout;
  const terminal = input.isTTY === true;
  const state = { targets: o.targets, current: 0 };
  const rl = createInterface({ input, output, terminal, historySize: 1000 });
  const prompt = () => {
    if (terminal) {
      rl.setPrompt(`${state.targets[state.current]!.name}> `);
      rl.prompt();
      o.guard?.attach(rl); // a log line now goes above the prompt
    }
  };
  if (terminal) output.write('type help for commands, quit to leave\n');
  prompt();
  try {
    for await (const line of rl) {
      o.guard?.detach(rl); // while a command runs there is no prompt to redraw
      let out: string | null;
      try {
        out = await runLine(line, state);
      } catch (err) {
        out = `error: ${describe(err)}`;
      }
      if (out === null) break;
      if (out !== '') output.write(out + '\n');
      prompt();
    }
  } finally {
    o.guard?.detach(rl);
    rl.close();
  }
}
