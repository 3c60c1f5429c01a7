/**
 * `dave-db import <backup-file> <dir>`: reads a godave backup file (docs/protocol.md
 * §14), verifies every record (docs/protocol.md §4) and writes the valid ones into the
 * database, creating it in a missing or empty directory (and removing it
 * again when no record got in). A directory holding anything else is
 * refused before anything is written. A key already stored follows the
 * replace rules of docs/protocol.md §9: the newer time wins. Bad records are listed
 * and make the exit status 1; records recovered from godave's 1424-length
 * rewrite are counted and imported. Progress (by bytes of the file) is
 * drawn on stderr as for verify.
 */
import { createReadStream } from 'node:fs';
import type { AbstractBatchOptions } from 'abstract-level';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectDirectory } from '../../store/directory.js';
import { DaveError, type ErrorCode } from '../../errors.js';
import { readBackupStream } from '../../store/backup.js';
import { recordKey } from '../../store/layout.js';
import { replaceDecision as storeReplaceDecision } from '../../store/rules.js';
import { storeKey, verifyDat } from '../../records/record.js';
import { equalBytes, toHex } from '../../wire/bytes.js';
import { decodeEntry, encodeEntry, type Entry } from '../../wire/entry.js';
import { parseCommand } from './args.js';
import { openDatabase } from './database.js';
import { showKey } from './format.js';
import { EXIT_BAD_RECORDS, EXIT_OK, Output, messageOf, type CliIO } from './io.js';
import { Progress } from './progress.js';

export const IMPORT_USAGE = 'import <backup-file> <dir>';

const BATCH = 1000;

/**
 * Spec §9 for a write of `incoming` over `stored`: the refusal code, or
 * undefined to replace. The rule itself is the store's (store/rules.ts).
 */
export function replaceDecision(stored: Entry, incoming: Entry): ErrorCode | undefined {
  const s = stored.dat;
  const d = incoming.dat;
  const sameReplicas = stored.replicas.every((r, i) => r === incoming.replicas[i]);
  return storeReplaceDecision(
    { samePubKey: equalBytes(s.pubKey, d.pubKey), time: s.time, sameContent: equalBytes(s.value, d.value) && sameReplicas },
    d.time,
  );
}

/**
 * The record stored at database key `key`, or undefined when it is corrupt:
 * it does not decode, or its content belongs under another key. The store
 * skips both on open (store/recover.ts), so both are replaced, never
 * compared with.
 */
function storedAt(key: Uint8Array, bytes: Uint8Array): Entry | undefined {
  let stored: Entry;
  try {
    stored = decodeEntry(bytes);
  } catch {
    return undefined;
  }
  return equalBytes(recordKey(storeKey(stored.dat.pubKey, stored.dat.key)), key) ? stored : undefined;
}

/** Removes what opening created in `dir`: all of it, or what was not among `existed`. */
async function removeCreated(dir: string, existed: Set<string> | undefined): Promise<void> {
  if (existed === undefined) return rm(dir, { recursive: true, force: true });
  for (const name of await readdir(dir)) {
    if (!existed.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

interface Tally {
  read: number;
  added: number;
  replaced: number;
  unchanged: number;
  older: number;
  bad: number;
  repaired: number;
}

/** Runs `import`; resolves to the exit status. @throws DaveError (the CLI reports it, exit 2) */
export async function importBackup(argv: string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommand('import', argv, ['backup-file', 'dir']);
  const [file, dir] = positionals as [string, string];
  let fileSize: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error('not a file');
    fileSize = st.size;
  } catch (err) {
    throw new Error(`cannot read backup file ${file}: ${messageOf(err)}`);
  }
  // A database this import creates is removed again when nothing got into
  // it: a failed import leaves no empty database behind.
  const before = await inspectDirectory(dir);
  const existed = before.kind === 'missing' ? undefined : new Set(await readdir(dir));
  const { db, records } = await openDatabase(dir, true);
  let done = false;
  const out = new Output(io.stdout);
  const err = new Output(io.stderr);
  const now = (io.now ?? Date.now)();
  const tty = io.progress ?? (io.stderr as { isTTY?: boolean }).isTTY === true;
  const progress = new Progress(io.stderr, 'importing (bytes)', { tty, total: fileSize, now: io.now });
  const t: Tally = { read: 0, added: 0, replaced: 0, unchanged: 0, older: 0, bad: 0, repaired: 0 };
  // Writes not yet committed, by database key: a backup written by godave's
  // incremental path holds every update of a key, oldest first.
  let pending = new Map<string, { key: Uint8Array; entry: Entry; isNew: boolean }>();

  const flush = async () => {
    if (pending.size === 0) return;
    const ops = [...pending.values()].map((p) => ({ type: 'put' as const, key: p.key, value: encodeEntry(p.entry) }));
    // sync: classic-level's option, passed through the sublevel to the database
    await records.batch(ops, { sync: true } as AbstractBatchOptions<Uint8Array, Uint8Array>);
    for (const p of pending.values()) p.isNew ? t.added++ : t.replaced++;
    pending = new Map();
  };

  try {
    for await (const ev of readBackupStream(createReadStream(file))) {
      progress.update(ev.offset);
      if (ev.type === 'skip') {
        t.bad++;
        progress.clear();
        await err.line(`offset ${ev.offset}: ${ev.length} unreadable bytes skipped, ${ev.code}: ${ev.message}`);
        continue;
      }
      t.read++;
      if (ev.repaired) t.repaired++;
      const entry = ev.entry;
      const who = `${toHex(entry.dat.pubKey)} ${showKey(entry.dat.key)}`;
      try {
        verifyDat(entry.dat, { now });
      } catch (e) {
        t.bad++;
        progress.clear();
        await err.line(`offset ${ev.offset}: ${who} skipped, ${(e as DaveError).code}: ${messageOf(e)}`);
        continue;
      }
      const key = recordKey(storeKey(entry.dat.pubKey, entry.dat.key));
      const id = toHex(key);
      const queued = pending.get(id);
      let stored = queued?.entry;
      if (!queued) {
        const bytes = await records.get(key);
        if (bytes !== undefined) stored = storedAt(key, bytes);
      }
      const refusal = stored ? replaceDecision(stored, entry) : undefined;
      if (refusal === 'ERR_DUPLICATE') t.unchanged++;
      else if (refusal === 'ERR_OLDER_THAN_STORED') t.older++;
      else if (refusal) {
        t.bad++;
        progress.clear();
        await err.line(`offset ${ev.offset}: ${who} skipped, ${refusal}: another owner's record holds its store key`);
      } else {
        pending.set(id, { key, entry, isNew: queued ? queued.isNew : stored === undefined });
      }
      if (pending.size >= BATCH) await flush();
    }
    await flush();
    progress.finish();
    done = true;
  } finally {
    await db.close();
    if (before.kind !== 'database' && (!done || t.added === 0)) await removeCreated(dir, existed);
  }
  if (t.repaired > 0) {
    await err.line(
      `${t.repaired} records had a wrong length prefix (godave's rewrite writes 1424 for every record) and were recovered`,
    );
  }
  await out.line(
    `imported ${file} into ${dir}: ${t.read} records read; ${t.added} added, ${t.replaced} replaced, ` +
      `${t.unchanged} already stored, ${t.older} older than stored; ${t.bad} bad`,
  );
  if (before.kind !== 'database' && t.added === 0) await err.line(`no record imported: no database was created at ${dir}`);
  return t.bad > 0 ? EXIT_BAD_RECORDS : EXIT_OK;
}
