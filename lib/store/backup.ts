/**
 * godave's backup file (docs/protocol.md §14): a sequence of records, each a u16
 * little-endian length and then an Entry (docs/protocol.md §5) of that length.
 *
 * Reading is robust. godave's rewrite-after-restart path writes 1424 as
 * every length prefix; an Entry is self-delimiting (its Dat length, key
 * length and value length say where it ends), so such a record is read by
 * its own structure and reported as repaired. A record that does not decode
 * is reported as skipped and reading resynchronises on the next offset that
 * holds a well-formed record; a torn tail is reported and ends the file.
 * Nothing here throws on bad input, and nothing verifies signatures: that
 * is the caller's job (verifyDat).
 */
import { DAT_HEADER_LEN, ENTRY_HEADER_LEN, FANOUT, MAX_MSG_LEN } from '../constants.js';
import { DaveError, type ErrorCode } from '../errors.js';
import { joinBytes, writeU16 } from '../wire/bytes.js';
import { MAX_DAT_KV_LEN } from '../wire/dat.js';
import { type Entry, encodeEntry, readEntry } from '../wire/entry.js';

/** The length prefix godave's rewrite path writes for every record. */
export const GODAVE_CORRUPT_LENGTH = MAX_MSG_LEN;
/** Longest Entry the codec accepts (largest Dat plus its header). */
export const MAX_BACKUP_ENTRY_LEN = ENTRY_HEADER_LEN + DAT_HEADER_LEN + MAX_DAT_KV_LEN;
const DAT_LEN_AT = FANOUT * 8; // offset of the Dat length inside an Entry

/** A stretch of the file that held no readable record. */
export interface BackupSkip {
  /** Byte offset in the file where the unreadable bytes start. */
  offset: number;
  /** Bytes passed over. */
  length: number;
  /** Why: ERR_TRUNCATED for a torn tail, else the decoder's code. */
  code: ErrorCode;
  message: string;
}

/** A record read by its own structure because its length prefix was wrong. */
export interface BackupRepair {
  offset: number;
  /** The length prefix in the file (1424 for godave's rewrite defect). */
  declared: number;
  /** The Entry's real length. */
  actual: number;
}

/** What the incremental reader reports: a record read, or a stretch passed over. */
export type BackupEvent =
  | { type: 'entry'; offset: number; entry: Entry; repaired?: BackupRepair }
  | ({ type: 'skip' } & BackupSkip);

/** A whole file read: records in file order, and what was wrong with it. */
export interface BackupContents {
  entries: Entry[];
  skipped: BackupSkip[];
  repaired: BackupRepair[];
}

type Probe = { ok: true; entry: Entry; declared: number; length: number } | { ok: false; code: ErrorCode | 'more'; message: string };

function u16(buf: Uint8Array, o: number): number {
  return buf[o]! | (buf[o + 1]! << 8);
}

/** Tries to read one record at `p` by the Entry's structure (bounds checked first). */
function probe(buf: Uint8Array, p: number): Probe {
  if (p + 2 + ENTRY_HEADER_LEN > buf.length) return { ok: false, code: 'more', message: 'record header runs past the end' };
  const datLen = u16(buf, p + 2 + DAT_LEN_AT);
  if (datLen < DAT_HEADER_LEN || datLen > DAT_HEADER_LEN + MAX_DAT_KV_LEN) {
    return { ok: false, code: 'ERR_BAD_LENGTH', message: `entry dat length ${datLen} is impossible` };
  }
  const length = ENTRY_HEADER_LEN + datLen;
  if (p + 2 + length > buf.length) return { ok: false, code: 'more', message: 'record runs past the end' };
  try {
    // decode a view of the record alone, so messages give offsets within it
    return { ok: true, entry: readEntry(buf.subarray(p + 2, p + 2 + length), 0, length), declared: u16(buf, p), length };
  } catch (err) {
    // the decoders throw only DaveErrors on bad bytes; anything else is a bug
    if (!(err instanceof DaveError)) throw err;
    return { ok: false, code: err.code, message: err.message };
  }
}

/**
 * Cheap test of a record start while scanning, before any decoding: a
 * believable length prefix, and Dat, key and value lengths that add up.
 * 'more' when the bytes needed are not all there yet.
 */
function shape(buf: Uint8Array, p: number): boolean | 'more' {
  if (p + 2 + ENTRY_HEADER_LEN > buf.length) return 'more';
  const datLen = u16(buf, p + 2 + DAT_LEN_AT);
  if (datLen < DAT_HEADER_LEN || datLen > DAT_HEADER_LEN + MAX_DAT_KV_LEN) return false;
  const declared = u16(buf, p);
  if (declared !== ENTRY_HEADER_LEN + datLen && declared !== GODAVE_CORRUPT_LENGTH) return false;
  const dat = p + 2 + ENTRY_HEADER_LEN;
  if (dat + datLen > buf.length) return 'more';
  const keyLen = buf[dat + DAT_HEADER_LEN - 3]!;
  if (DAT_HEADER_LEN + keyLen > datLen) return false;
  return DAT_HEADER_LEN + keyLen + u16(buf, dat + DAT_HEADER_LEN - 2 + keyLen) === datLen;
}

/** A record start we trust when resynchronising: well formed and a believable prefix. */
function plausible(r: Probe): boolean {
  return r.ok && (r.declared === r.length || r.declared === GODAVE_CORRUPT_LENGTH);
}

/**
 * Incremental reader: push chunks as they arrive, then call end(). Each call
 * returns the events it could decide, the same events whatever the chunking;
 * offsets are absolute in the file. It holds at most about one record
 * beyond the last chunk, even while passing over a long unreadable stretch.
 */
export class BackupReader {
  private buf = new Uint8Array(0);
  private base = 0; // file offset of buf[0]
  private pos = 0; // index in buf of the next record
  /**
   * An unreadable stretch being passed over: `start` is its file offset;
   * `candidate` (where its length prefix points) and `cursor` (the next
   * offset to try) index `buf`.
   */
  private bad: { start: number; code: ErrorCode; message: string; candidate: number | null; cursor: number } | null =
    null;

  /**
   * Adds a chunk of the file; returns the events now decided.
   * @throws DaveError ERR_INVALID_ARGUMENT when `chunk` is not a Uint8Array
   */
  push(chunk: Uint8Array): BackupEvent[] {
    if (!(chunk instanceof Uint8Array)) throw new DaveError('ERR_INVALID_ARGUMENT', 'chunk must be a Uint8Array');
    // keep only what is still to be read: while passing over a bad stretch,
    // the bytes before the scan cursor are done with (so a long stretch
    // costs linear time, not a growing copy per chunk)
    const keep = this.bad ? this.bad.cursor : this.pos;
    const rest = this.buf.subarray(keep);
    const next = new Uint8Array(rest.length + chunk.length);
    next.set(rest, 0);
    next.set(chunk, rest.length);
    if (this.bad) {
      this.bad.cursor -= keep;
      if (this.bad.candidate !== null) this.bad.candidate -= keep;
    }
    this.base += keep;
    this.pos -= keep;
    this.buf = next;
    return this.run(false);
  }

  /** Bytes held, waiting for more input: at most about a record, even inside a long unreadable stretch. */
  get buffered(): number {
    return this.buf.length - (this.bad ? this.bad.cursor : this.pos);
  }

  /** Marks the end of the file; returns the remaining events. */
  end(): BackupEvent[] {
    return this.run(true);
  }

  private run(final: boolean): BackupEvent[] {
    const out: BackupEvent[] = [];
    for (;;) {
      if (this.bad) {
        if (!this.resync(final, out)) return out;
        continue;
      }
      if (this.pos === this.buf.length) return out;
      const r = probe(this.buf, this.pos);
      if (r.ok) {
        const offset = this.base + this.pos;
        const event: BackupEvent = { type: 'entry', offset, entry: r.entry };
        if (r.declared !== r.length) event.repaired = { offset, declared: r.declared, actual: r.length };
        out.push(event);
        this.pos += 2 + r.length;
        continue;
      }
      if (r.code === 'more' && !final) return out;
      // Unreadable. The length prefix, if believable, is the first place to
      // look for the next record; otherwise scan forward byte by byte.
      const declared = this.pos + 2 <= this.buf.length ? u16(this.buf, this.pos) : 0;
      this.bad = {
        start: this.base + this.pos,
        code: r.code === 'more' ? 'ERR_TRUNCATED' : r.code,
        message: r.message,
        candidate:
          declared >= ENTRY_HEADER_LEN && declared <= MAX_BACKUP_ENTRY_LEN ? this.pos + 2 + declared : null,
        cursor: this.pos + 1,
      };
    }
  }

  /** Finds where reading resumes; false when more input is needed or the input ended. */
  private resync(final: boolean, out: BackupEvent[]): boolean {
    const bad = this.bad!;
    const len = this.buf.length;
    if (bad.candidate !== null) {
      const c = bad.candidate;
      if (c >= len) {
        if (!final) return false;
        if (c === len) {
          this.skipTo(c, out);
          return true;
        }
      } else {
        const r = probe(this.buf, c);
        if (plausible(r)) {
          this.skipTo(c, out);
          return true;
        }
        if (!r.ok && r.code === 'more' && !final) return false;
      }
      bad.candidate = null;
    }
    for (let p = bad.cursor; p < len; p++) {
      const s = shape(this.buf, p);
      if (s === 'more' && !final) {
        bad.cursor = p;
        return false;
      }
      if (s === true && plausible(probe(this.buf, p))) {
        this.skipTo(p, out);
        return true;
      }
    }
    bad.cursor = len;
    if (!final) return false;
    this.skipTo(len, out);
    return false;
  }

  private skipTo(p: number, out: BackupEvent[]): void {
    const bad = this.bad!;
    const offset = bad.start;
    out.push({ type: 'skip', offset, length: this.base + p - offset, code: bad.code, message: bad.message });
    this.bad = null;
    this.pos = p;
  }
}

/**
 * Reads a whole backup file. Never throws on bad input: unreadable stretches
 * are in `skipped`, records with a wrong length prefix (godave's 1424
 * rewrite) are read and listed in `repaired`.
 * @throws DaveError ERR_INVALID_ARGUMENT when `bytes` is not a Uint8Array
 */
export function readBackup(bytes: Uint8Array): BackupContents {
  if (!(bytes instanceof Uint8Array)) throw new DaveError('ERR_INVALID_ARGUMENT', 'bytes must be a Uint8Array');
  const reader = new BackupReader();
  const result: BackupContents = { entries: [], skipped: [], repaired: [] };
  for (const e of [...reader.push(bytes), ...reader.end()]) {
    if (e.type === 'skip') {
      const { type: _t, ...skip } = e;
      result.skipped.push(skip);
    } else {
      result.entries.push(e.entry);
      if (e.repaired) result.repaired.push(e.repaired);
    }
  }
  return result;
}

/**
 * Reads a backup from a stream of chunks (e.g. fs.createReadStream).
 * Yields the same events as BackupReader.
 */
export async function* readBackupStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<BackupEvent> {
  const reader = new BackupReader();
  for await (const chunk of source) yield* reader.push(chunk);
  yield* reader.end();
}

/**
 * One record of a backup file: the u16 length, then the Entry.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function backupRecord(entry: Entry): Uint8Array {
  const bytes = encodeEntry(entry);
  const out = new Uint8Array(2 + bytes.length);
  writeU16(out, 0, bytes.length);
  out.set(bytes, 2);
  return out;
}

/**
 * A backup file holding `entries` in order, with correct length prefixes
 * (godave's incremental format, which godave reads back).
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_BAD_TIME, ERR_TOO_LARGE
 */
export function writeBackup(entries: Iterable<Entry>): Uint8Array {
  return joinBytes(Array.from(entries, (e) => backupRecord(e)));
}
