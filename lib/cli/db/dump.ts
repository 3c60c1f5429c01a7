/**
 * `dave-db dump <dir> [--json] [--owner HEX] [--prefix KEY] [--limit N]`:
 * one line per record in store-key order; --json writes NDJSON with every
 * field and the full value. Records that do not decode, or sit under a
 * database key that is not 8 bytes, are reported on stderr (exit status 1);
 * stdout stays clean.
 */
import { DaveError } from '../../errors.js';
import { toHex } from '../../wire/bytes.js';
import { intOption, parseCommand } from './args.js';
import { openDatabase, scanRecords } from './database.js';
import { jsonRecord, textLine } from './format.js';
import { EXIT_BAD_RECORDS, EXIT_OK, Output, type CliIO } from './io.js';

/** Length of a records-sublevel key: the big-endian u64 store key (store/layout.ts). */
const RECORD_KEY_BYTES = 8;

export const DUMP_USAGE = 'dump <dir> [--json] [--owner HEX] [--prefix KEY] [--limit N]';

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Runs `dump`; resolves to the exit status. @throws DaveError (the CLI reports it, exit 2) */
export async function dump(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('dump', argv, ['dir'], {
    json: { type: 'boolean' },
    owner: { type: 'string' },
    prefix: { type: 'string' },
    limit: { type: 'string' },
  });
  const owner = values.owner as string | undefined;
  if (owner !== undefined && !/^[0-9a-fA-F]{1,64}$/.test(owner)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', '--owner must be a public key in hex (64 digits, or a prefix of them)');
  }
  const ownerHex = owner?.toLowerCase();
  const prefix = values.prefix === undefined ? undefined : new TextEncoder().encode(values.prefix as string);
  const limit = intOption(values.limit, 'limit', Infinity);
  const json = values.json === true;

  const { db, records } = await openDatabase(positionals[0]!);
  const out = new Output(io.stdout);
  const err = new Output(io.stderr);
  let shown = 0;
  let bad = 0;
  try {
    if (limit === 0) return EXIT_OK;
    for await (const r of scanRecords(records)) {
      if (!r.entry) {
        bad++;
        await err.line(`undecodable record at store key ${toHex(r.dbKey)}: ${r.error!.code}: ${r.error!.message}`);
        continue;
      }
      if (r.dbKey.length !== RECORD_KEY_BYTES) {
        // no store key to show (the store skips it on open); verify says where it belongs
        bad++;
        const why = `the key is ${r.dbKey.length} bytes, not ${RECORD_KEY_BYTES}`;
        await err.line(`bad record at store key ${toHex(r.dbKey)}: ERR_DATABASE: ${why}`);
        continue;
      }
      const d = r.entry.dat;
      if (ownerHex !== undefined && !toHex(d.pubKey).startsWith(ownerHex)) continue;
      if (prefix !== undefined && !startsWith(d.key, prefix)) continue;
      await out.line(json ? JSON.stringify(jsonRecord(r.dbKey, r.entry)) : textLine(r.entry));
      if (out.closed || ++shown >= limit) break;
    }
  } finally {
    await db.close();
  }
  if (out.error && (out.error as NodeJS.ErrnoException).code !== 'EPIPE') throw out.error;
  return bad > 0 ? EXIT_BAD_RECORDS : EXIT_OK;
}
