/**
 * `dave-db verify <dir>`: decodes every record, checks it sits under its
 * own store key, and verifies its signature and proof of work (docs/protocol.md §4).
 * Lists the bad ones and exits 1 if there are any. A progress bar goes to
 * stderr on a terminal; elsewhere a line every 10 s on long runs.
 */
import { DaveError } from '../../errors.js';
import { storeKey, verifyDat } from '../../records/record.js';
import { equalBytes, toHex } from '../../wire/bytes.js';
import { recordKey } from '../../store/layout.js';
import { parseCommand } from './args.js';
import { countRecords, openDatabase, scanRecords, type ScannedRecord } from './database.js';
import { showKey } from './format.js';
import { EXIT_BAD_RECORDS, EXIT_OK, Output, type CliIO } from './io.js';
import { Progress } from './progress.js';

export const VERIFY_USAGE = 'verify <dir>';

/** Why a stored record is bad, or undefined when it is good. */
export function checkRecord(r: ScannedRecord, now: number): DaveError | undefined {
  if (!r.entry) return r.error;
  const d = r.entry.dat;
  const expected = recordKey(storeKey(d.pubKey, d.key));
  if (!equalBytes(expected, r.dbKey)) {
    return new DaveError('ERR_DATABASE', `stored under store key ${toHex(r.dbKey)}, belongs under ${toHex(expected)}`);
  }
  try {
    verifyDat(d, { now });
    return undefined;
  } catch (err) {
    if (err instanceof DaveError) return err;
    throw err;
  }
}

/** "<owner hex> <key>" of a record, or "store-key:<hex> ?" when it does not decode. */
export function describeRecord(r: ScannedRecord): string {
  return r.entry ? `${toHex(r.entry.dat.pubKey)} ${showKey(r.entry.dat.key)}` : `store-key:${toHex(r.dbKey)} ?`;
}

/** Runs `verify`; resolves to the exit status. @throws DaveError (the CLI reports it, exit 2) */
export async function verify(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommand('verify', argv, ['dir']);
  const dir = positionals[0]!;
  const { db, records } = await openDatabase(dir);
  const out = new Output(io.stdout);
  const tty = io.progress ?? (io.stderr as { isTTY?: boolean }).isTTY === true;
  const now = (io.now ?? Date.now)();
  let n = 0;
  let bad = 0;
  try {
    const total = tty ? await countRecords(records) : undefined;
    const progress = new Progress(io.stderr, 'verifying', { tty, total, now: io.now });
    for await (const r of scanRecords(records)) {
      n++;
      const problem = checkRecord(r, now);
      if (problem) {
        bad++;
        progress.clear();
        await out.line(`bad ${describeRecord(r)} ${problem.code}: ${problem.message}`);
      }
      progress.update(n, bad ? `${bad} bad` : '');
    }
    progress.finish();
  } finally {
    await db.close();
  }
  await out.line(`verified ${n} records: ${n - bad} good, ${bad} bad`);
  return bad > 0 ? EXIT_BAD_RECORDS : EXIT_OK;
}
