/**
 * The `dave` command's help: the list of commands (`dave`, `dave --help`,
 * `dave help`) and each command's usage (`dave <command> --help`, `dave
 * help <command>`), every one on stdout with exit status 0. A usage error
 * is one line that ends by pointing here (pointToHelp).
 */
import { DEFAULT_DATA } from './start-options.js';

const API_OPTIONS = `  --data DIR             reach the node through its socket DIR/api.sock, no
                         token needed (default ${DEFAULT_DATA})
  --api URL              or give its URL (http://127.0.0.1:8080) and a token:
  --api-token-file FILE  the bearer token, read from FILE; or set
                         DAVE_API_TOKEN ...
  --token TOKEN          ... or give it here (visible to every local user in ps)
  --json                 print the API's JSON instead of text`;

const EXIT = 'exit status: 0 done (or found), 1 not found, 2 any error';

export const START_USAGE = `usage: dave start [options]

Runs a Dave node (UDP, and TCP on the UDP port + 1) until Ctrl-C / SIGTERM.

options:
  --listen ADDR:PORT     UDP address (default [::]:1618: every interface,
                         IPv4 and IPv6); localhost:PORT or HOST:PORT is
                         resolved at start; port 0 picks a free pair
  --edge TICKET|ADDR     a node to join: its ticket, 1.2.3.4:port, [v6]:port
                         or host:port (resolved at start); repeatable. An
                         edge of an address family --listen cannot reach is
                         refused (e.g. an IPv4 edge with --listen [::1]:PORT)
  --data DIR             data directory: the database, node.key, user.key,
                         edges saved by join --save (default ./dave-data;
                         --db is the old name)
  --capacity SIZE        bytes of records to keep (default 1GiB; 512MB, 2GiB...;
                         at least 1448, the largest record)
  --cache SIZE           bytes of values cached in memory (default 64MiB)
  --key-file FILE        the node key (default DIR/node.key, created 0600)
  --user-key FILE        the key that signs this node's writes (default
                         DIR/user.key, created 0600)
  --api HOST:PORT        serve the HTTP API (docs/api.md), and on the
                         socket DIR/api.sock (0600) for the CLI; off by default
  --api-host NAME        a host name the API answers to besides localhost and
                         its addresses (repeatable; others get 421)
  --api-token-file FILE  the API's bearer token, read from FILE; or set
                         DAVE_API_TOKEN (default: DIR/api.token, generated
                         0600 on first use); 16 to 200 characters of
                         A-Z a-z 0-9 . _ ~ + / = -
  --api-token TOKEN      the token on the command line (visible to every
                         local user in ps: prefer the two above)
  --log-level LEVEL      trace, debug, info (default), warn, error, silent;
                         debug adds a line per API request, GET and PUT
                         served, and peer added, proven or dropped
  --verbose              the same as --log-level debug
  --log-format FORMAT    json or pretty (default: pretty on a terminal)
  --shell / --no-shell   offer the shell (default: when on a terminal)
  --help                 this text

SIGINT or SIGTERM (Ctrl-C) closes the node cleanly and exits 0.
`;

/** Each command's usage, as `dave <command> --help` prints it. */
export const COMMAND_USAGE: Record<string, string> = {
  start: START_USAGE,
  shell: `usage: dave shell [--data DIR | --api URL [--api-token-file FILE | --token TOKEN]]

A shell on a running node's HTTP API (type help at its prompt).
  --data DIR             reach the node through its socket DIR/api.sock
                         (default ${DEFAULT_DATA})
  --api URL              or give its URL, with a token from
                         --api-token-file FILE, DAVE_API_TOKEN or --token T
`,
  devnet: `usage: dave devnet [--nodes N] [--dir DIR] [--log-level LEVEL]

Starts N nodes on 127.0.0.1 in this process, all joined to node 1, all
writing with one user key (DIR/user.key), then a shell on node 1 (use <n>
switches). quit or Ctrl-C stops them all.
  --nodes N              2 to 16 (default 3)
  --dir DIR              data directories DIR/node-<i> (default ./dave-devnet,
                         kept between runs)
  --log-level LEVEL      default warn
`,
  key: `usage: dave key new|show [--file FILE] [--data DIR]

  key new                write a fresh user key (never overwrites) and print
                         its public key
  key show               print the public key of an existing one
  --file FILE            the key file (default DIR/user.key)
  --data DIR             default ${DEFAULT_DATA}
`,
  put: `usage: dave put <key> <value> [--key-file FILE] [api options]

Writes a record, signed by the node's user key (over --api URL that needs
the token), or signed here with --key-file FILE and sent complete.
${API_OPTIONS}
${EXIT}
`,
  get: `usage: dave get <owner|me> <key> [api options]

Reads a record and prints its value; exit 1 when not found. owner is a
public key in hex, or me: the user key of the node asked (DIR/user.key),
so "me" on another node is another owner (see dave status).
${API_OPTIONS}
${EXIT}
`,
  del: `usage: dave del <key> [--key-file FILE] [api options]

Deletes a record: writes a newer one with an empty value.
${API_OPTIONS}
${EXIT}
`,
  ls: `usage: dave ls [prefix] [--owner HEX] [--limit N] [--after CURSOR] [api options]

The records of an owner (default: the node's user key) held by the node,
a page at a time: --after takes the cursor the previous page ended with.
${API_OPTIONS}
${EXIT}
`,
  status: `usage: dave status [api options]

The node's ID, addresses, peers, space and ticket.
${API_OPTIONS}
${EXIT}
`,
  peers: `usage: dave peers [api options]

The node's peer table: address, ID, edge, state, last seen.
${API_OPTIONS}
${EXIT}
`,
  ticket: `usage: dave ticket [api options]

The node's join ticket (give it to dave start --edge or join).
${API_OPTIONS}
${EXIT}
`,
  join: `usage: dave join <ticket|address> [--save] [api options]

Adds an edge to the running node (as --edge does at start, with the same
checks): a ticket, 1.2.3.4:port, [v6]:port or host:port. --save keeps it
for the next start (in DIR/edges on the node's data directory).
Over --api URL it needs the token.
${API_OPTIONS}
${EXIT}
`,
  backup: `usage: dave backup <file> [--force] [api options]

A live backup of the node's records in godave's format. An existing file
is replaced only with --force.
${API_OPTIONS}
${EXIT}
`,
};

const LIST: [string, string][] = [
  ['start', 'run a node (dave start --help for its options)'],
  ['shell', 'a shell on a running node'],
  ['devnet [--nodes N]', 'N nodes on loopback with a shell'],
  ['key new|show', 'user keys (default DIR/user.key)'],
  ['put <key> <value>', "write a record (signed by the node's user key, or --key-file)"],
  ['get <owner|me> <key>', 'read a record; exit 1 when not found'],
  ['del <key>', 'delete a record (a newer one with an empty value)'],
  ['ls [prefix]', 'records of an owner held by the node'],
  ['status', "the node's ID, addresses, peers and space"],
  ['peers', "the node's peer table"],
  ['ticket', "the node's join ticket"],
  ['join <ticket|address>', 'add an edge to the running node (--save keeps it)'],
  ['backup <file>', "a live godave-format backup of the node's records"],
  ['help [command]', "this text, or a command's"],
];

export const USAGE = `usage: dave <command> [options]

commands:
${LIST.map(([c, s]) => `  ${c.padEnd(24)}${s}`).join('\n')}

A node starts with dave start. The one-shot commands and the shell reach
the node through its socket in the data directory (--data DIR, default
${DEFAULT_DATA}: DIR/api.sock, no token needed) or take --api URL with a
token from --api-token-file FILE, $DAVE_API_TOKEN or --token TOKEN (argv
is visible to every local user); --json prints JSON.
dave <command> --help shows a command's options.
Exit status: 0 done, 1 not found, 2 error.
`;

/** Ends a usage error's line with where to look, unless it already says. */
export function pointToHelp(message: string, command: string | undefined): string {
  if (/--help\b/.test(message)) return message;
  return `${message} (${command && command in COMMAND_USAGE ? `dave ${command} --help` : 'dave --help'})`;
}
