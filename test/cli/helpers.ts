/**
 * Test support for dave-db: streams that collect output, temporary
 * directories, and databases seeded straight through the shared layout
 * (lib/store/layout.ts), independent of the commands under test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ClassicLevel } from 'classic-level';
import { FORMAT_KEY, FORMAT_VERSION, metaLevel, recordKey, recordsLevel } from '../../lib/store/layout.js';
import { storeKey } from '../../lib/records/record.js';
import { encodeEntry, type Entry } from '../../lib/wire/entry.js';
import { run } from '../../lib/cli/db/main.js';

export class Collector extends Writable {
  chunks: string[] = [];
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.chunks.join('');
  }
  get lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

/** Runs dave-db in-process. */
export async function dbcli(argv: string[], options: { progress?: boolean; now?: () => number } = {}): Promise<RunResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await run(argv, { stdout, stderr, ...options });
  return { code, stdout: stdout.text, stderr: stderr.text, lines: stdout.lines };
}

/** A fresh temporary directory; `cleanup()` removes every one made. */
const made: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dave-db-test-'));
  made.push(d);
  return d;
}
export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export type Db = ClassicLevel<Uint8Array, Uint8Array>;

export function openDb(dir: string): Db {
  return new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
}

/** The database key an entry belongs under. */
export function keyOf(entry: Entry): Uint8Array {
  return recordKey(storeKey(entry.dat.pubKey, entry.dat.key));
}

/** Creates a database at `dir` holding `entries` (and raw `extra` key/value pairs). */
export async function seed(dir: string, entries: Entry[], extra: [Uint8Array, Uint8Array][] = []): Promise<void> {
  const db = openDb(dir);
  await db.open();
  await metaLevel(db).put(FORMAT_KEY, new TextEncoder().encode(FORMAT_VERSION));
  const records = recordsLevel(db);
  for (const e of entries) await records.put(keyOf(e), encodeEntry(e));
  for (const [k, v] of extra) await records.put(k, v);
  await db.close();
}

/** Every record of the database at `dir`, as [key, value] pairs in key order. */
export async function readAll(dir: string): Promise<[Uint8Array, Uint8Array][]> {
  const db = openDb(dir);
  await db.open();
  const out: [Uint8Array, Uint8Array][] = [];
  for await (const kv of recordsLevel(db).iterator()) out.push(kv);
  await db.close();
  return out;
}
