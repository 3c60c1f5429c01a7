/**
 * `dave key new [--file F]` and `dave key show [--file F]`: user keys,
 * the keys that sign records (separate from the node key). The default
 * is user.key in the data directory (--data, default ./dave-data).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { signingKey } from '../crypto/ed25519.js';
import { toHex } from '../wire/bytes.js';
import { RunError, UsageError } from './fail.js';
import { createKeyFile, readKeyFile } from './keys.js';
import { DEFAULT_DATA } from './start-options.js';
import { argsError } from './args.js';

export const KEY_USAGE = 'usage: dave key new|show [--file FILE] [--data DIR]';

export async function runKey(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { file: { type: 'string' }, data: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`key: ${argsError(err, argv)}`);
  }
  const [sub, ...rest] = parsed.positionals;
  if ((sub !== 'new' && sub !== 'show') || rest.length > 0) throw new UsageError(KEY_USAGE);
  const data = parsed.values.data ?? DEFAULT_DATA;
  const file = parsed.values.file ?? join(data, 'user.key');
  if (sub === 'show') {
    const seed = readKeyFile(file);
    if (!seed) throw new RunError(`no key at ${file} (dave key new makes one)`);
    process.stdout.write(toHex(signingKey(seed).publicKey) + '\n');
    return 0;
  }
  const dir = dirname(resolve(file));
  if (!existsSync(dir)) {
    if (dir !== resolve(data)) throw new UsageError(`--file ${file}: directory ${dir} does not exist`);
    mkdirSync(dir, { recursive: true });
  }
  const seed = createKeyFile(file);
  process.stdout.write(`${toHex(signingKey(seed).publicKey)}\n`);
  process.stderr.write(`dave: new key written to ${file} (mode 0600); the line above is its public key\n`);
  return 0;
}
