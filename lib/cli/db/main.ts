/**
 * dave-db's command line: dispatches to the commands and turns failures
 * into messages and exit statuses. `run` never throws and never exits the
 * process, so tests call it in-process.
 */
import { isDaveError } from '../../errors.js';
import { DUMP_USAGE, dump } from './dump.js';
import { EXPORT_USAGE, exportBackup } from './export.js';
import { IMPORT_USAGE, importBackup } from './import.js';
import { EXIT_OK, EXIT_USAGE, messageOf, type CliIO } from './io.js';
import { REPAIR_USAGE, repair } from './repair.js';
import { STATS_USAGE, stats } from './stats.js';
import { VERIFY_USAGE, verify } from './verify.js';

/** Each command's synopsis and what it does, for `dave-db --help` and `dave-db <command> --help`. */
const HELP: Record<string, [string, string]> = {
  dump: [
    DUMP_USAGE,
    `one line per record: owner, key, time, value size, replicas, preview;
--json: NDJSON with every field and the full value
--owner HEX: owner public key in hex, or a prefix of it
--prefix KEY: keys starting with KEY;  --limit N: at most N records`,
  ],
  stats: [STATS_USAGE, 'record count, bytes, time range, top N owners (default 10), shard fill'],
  verify: [VERIFY_USAGE, "check every record's signature and proof of work; list the bad ones"],
  import: [IMPORT_USAGE, 'read a godave backup file into the database (created if missing)'],
  export: [
    EXPORT_USAGE,
    `write every good record to a godave backup file (an existing file is
replaced only with --force). The node's identity is not in it: keep
<dir>/node.key too (without it, a restore brings the records back under
a new node ID)`,
  ],
  repair: [
    REPAIR_USAGE,
    `rebuild a database refused as damaged (ERR_DATABASE_CORRUPT), e.g.
after its CURRENT file was lost, with LevelDB's repair`,
  ],
};

const indent = (text: string, by: string) => text.split('\n').map((l) => by + l).join('\n');

const EXIT_TEXT = `exit status: 0 done; 1 bad records found (listed); 2 bad arguments,
no database, not a Dave database, a damaged database, database in use
(a node is running on it), or an I/O error.`;

export const USAGE = `usage: dave-db <command> [options]

Inspect, check, import and export a Dave node's database (a directory).

commands:
${Object.values(HELP)
  .map(([u, d]) => `  ${u}\n${indent(d, '      ')}`)
  .join('\n')}

dump, stats, verify and export never create or change a database; import
creates one only in a missing or empty directory.

${EXIT_TEXT}`;

/** `dave-db <command> --help`: the command's synopsis and what it does. */
export function commandUsage(name: string): string {
  const [u, d] = HELP[name]!;
  return `usage: dave-db ${u}\n\n${d}\n\n${EXIT_TEXT}`;
}

type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  dump,
  stats,
  verify,
  import: importBackup,
  export: exportBackup,
  repair,
};

function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : text + '\n');
}

/** Runs dave-db with `argv` (without node and the script); resolves to the exit status. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    write(io.stdout, USAGE);
    return EXIT_OK;
  }
  const command = name === undefined ? undefined : Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    // one line, then the pointer to the full text (not the whole usage after every mistake)
    const what = name === undefined ? 'missing command' : `unknown command ${JSON.stringify(name)}`;
    write(io.stderr, `dave-db: ${what}; usage: dave-db <command> [options] (dave-db --help lists the commands)`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    write(io.stdout, commandUsage(name!));
    return EXIT_OK;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (isDaveError(err, 'ERR_INVALID_ARGUMENT')) {
      write(io.stderr, `dave-db: ${err.message}; usage: dave-db ${HELP[name!]![0]} (dave-db ${name} --help)`);
    } else {
      write(io.stderr, messageOf(err));
    }
    return EXIT_USAGE;
  }
}
