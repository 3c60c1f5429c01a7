/**
 * One-shot commands against a running node's HTTP API: put, get, del, ls,
 * status, peers, ticket, backup. Plain text, or JSON with --json. Exit
 * status: 0 found/done, 1 not found, 2 any error.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { HttpClient } from '../api/client.js';
import { signingKey } from '../crypto/ed25519.js';
import { createDat } from '../workers/create-dat.js';
import { findApi } from './api-files.js';
import { listPage } from './list-page.js';
import { RunError, UsageError } from './fail.js';
import { joinText, listText, notFoundText, peersText, statusText, valueText, whereWritten } from './format.js';
import { formatSize } from './size.js';
import { readKeyFile } from './keys.js';
import { argsError } from './args.js';
import { DEFAULT_DATA } from './start-options.js';

export const CLIENT_COMMANDS: Record<string, { args: string[]; about: string }> = {
  put: { args: ['key', 'value'], about: 'write a record (signed by the node\'s user key, or --key-file)' },
  get: { args: ['owner|me', 'key'], about: 'read a record; exit 1 when not found' },
  del: { args: ['key'], about: 'delete a record (a newer one with an empty value)' },
  ls: { args: [], about: 'records of an owner held by the node: [prefix] [--owner HEX] [--limit N] [--after CURSOR]' },
  status: { args: [], about: 'the node\'s ID, addresses, peers and space' },
  peers: { args: [], about: 'the node\'s peer table' },
  ticket: { args: [], about: 'the node\'s join ticket' },
  join: { args: ['ticket|address'], about: 'add an edge to the running node (--save keeps it for the next start)' },
  backup: { args: ['file'], about: 'a live godave-format backup of the node\'s records (--force replaces a file)' },
};

const OPTIONS = {
  data: { type: 'string' },
  api: { type: 'string' },
  token: { type: 'string' },
  'api-token-file': { type: 'string' },
  json: { type: 'boolean' },
  'key-file': { type: 'string' },
  owner: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  save: { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

/** Options only some commands take. */
const ONLY: Record<string, string[]> = { save: ['join'], force: ['backup'], 'key-file': ['put', 'del'], owner: ['ls'], limit: ['ls'], after: ['ls'] };

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write((json ? JSON.stringify(value) : text) + '\n');
}

/** Runs one client command; resolves to the exit status. @throws UsageError, RunError, ApiCallError */
export async function runClientCommand(cmd: string, argv: string[]): Promise<number> {
  const spec = CLIENT_COMMANDS[cmd]!;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${cmd}: ${argsError(err, argv)}`);
  }
  const { values, positionals: pos } = parsed;
  for (const [option, commands] of Object.entries(ONLY)) {
    if ((values as Record<string, unknown>)[option] !== undefined && !commands.includes(cmd)) throw new UsageError(`${cmd}: --${option} is not an option of ${cmd}`);
  }
  const max = cmd === 'ls' ? 1 : cmd === 'put' ? Infinity : spec.args.length;
  if (pos.length < spec.args.length || pos.length > max) {
    throw new UsageError(`usage: dave ${cmd} ${spec.args.map((a) => `<${a}>`).join(' ')}${cmd === 'ls' ? ' [prefix]' : ''} [--data DIR | --api URL] [--json] (dave ${cmd} --help)`);
  }
  const json = values.json === true;
  const seed = values['key-file'] === undefined ? undefined : readKeyFile(values['key-file']);
  if (values['key-file'] !== undefined && seed === undefined) throw new RunError(`--key-file ${values['key-file']}: no such file (dave key new --file FILE makes one)`, 2);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit must be a positive integer');
  const target = findApi(values.data ?? DEFAULT_DATA, values.api, { token: values.token, tokenFile: values['api-token-file'] });
  const c = new HttpClient(target, target.token);
  const url = c.where;
  switch (cmd) {
    case 'put':
    case 'del': {
      const key = pos[0]!;
      const value = cmd === 'del' ? '' : pos.slice(1).join(' ');
      const r = seed
        ? await c.write(await createDat({ key, value, privateKey: signingKey(seed) }))
        : cmd === 'del'
          ? await c.del(key)
          : await c.put(key, value);
      print(json, r, `ok: ${key} ${cmd === 'del' ? 'deleted' : 'written'} at ${r.timeIso} by ${r.owner}; ${whereWritten(r)}`);
      return 0;
    }
    case 'get': {
      const r = await c.get(pos[0]!, pos[1]!);
      if (r === null || r.deleted) {
        if (json) print(true, r, '');
        else process.stderr.write(r === null ? `${await notFoundText(c, pos[0]!)}\n` : `${valueText(r)}\n`);
        return 1;
      }
      print(json, r, valueText(r)); // the value alone on stdout, for pipes; --json shows the replicas
      return 0;
    }
    case 'ls': {
      const page = await listPage(c, values.owner ?? 'me', { prefix: pos[0], after: values.after, limit });
      print(json, page, listText(page.records, page.next));
      return 0;
    }
    case 'status': {
      const s = await c.status();
      print(json, s, statusText(s));
      return 0;
    }
    case 'peers': {
      const p = await c.peers();
      print(json, { peers: p }, peersText(p));
      return 0;
    }
    case 'ticket': {
      const s = await c.status();
      print(json, { ticket: s.ticket }, s.ticket);
      return 0;
    }
    case 'join': {
      const r = await c.join(pos[0]!, values.save === true);
      print(json, r, joinText(r));
      return 0;
    }
    case 'backup': {
      const file = pos[0]!;
      if (existsSync(file) && values.force !== true) throw new RunError(`${file} exists: give --force to replace it`, 2);
      const tmp = `${file}.${process.pid}.tmp`;
      const out = createWriteStream(tmp, { flags: 'wx' });
      try {
        await pipeline(await c.backup(), out);
        await rename(tmp, file);
      } catch (err) {
        out.destroy();
        await rm(tmp, { force: true });
        throw err;
      }
      print(json, { file, bytes: out.bytesWritten }, `backup of ${url} written to ${file} (${formatSize(out.bytesWritten)})`);
      return 0;
    }
  }
  throw new UsageError(`unknown command ${cmd}`);
}
