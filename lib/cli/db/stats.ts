/**
 * `dave-db stats <dir> [--json] [--top N]`: record count, accounted and
 * stored bytes, time range, the owners with most records, and shard fill
 * (256 shards: the top byte of the store key). Exit status 1 when some
 * records do not decode (they are counted, not listed: see verify).
 */
import { ENTRY_OVERHEAD } from '../../constants.js';
import { toHex } from '../../wire/bytes.js';
import { intOption, parseCommand } from './args.js';
import { openDatabase, scanRecords } from './database.js';
import { humanBytes, isoTime } from './format.js';
import { EXIT_BAD_RECORDS, EXIT_OK, Output, type CliIO } from './io.js';

export const STATS_USAGE = 'stats <dir> [--json] [--top N]';

export interface OwnerStats {
  public_key_hex: string;
  records: number;
  accounted_bytes: number;
}

export interface DatabaseStats {
  format: string | null;
  records: number;
  /** Records whose bytes do not decode as an Entry. */
  undecodable: number;
  /** Sum of value + key + 224 over the records (docs/protocol.md §9). */
  accounted_bytes: number;
  /** Sum of the stored Entry bytes and their 8-byte keys. */
  stored_bytes: number;
  time_min_ms: number | null;
  time_max_ms: number | null;
  time_min_iso: string | null;
  time_max_iso: string | null;
  owners: number;
  top_owners: OwnerStats[];
  shards: { used: number; min: number; median: number; max: number; counts: number[] };
}

/** Reads every record once and gathers the statistics. */
async function gather(dir: string, top: number): Promise<DatabaseStats> {
  const { db, records, format } = await openDatabase(dir);
  const counts = new Array<number>(256).fill(0);
  const owners = new Map<string, { records: number; bytes: number }>();
  let n = 0;
  let undecodable = 0;
  let accounted = 0;
  let stored = 0;
  let tmin = Infinity;
  let tmax = -Infinity;
  try {
    for await (const r of scanRecords(records)) {
      n++;
      stored += r.dbKey.length + r.bytes.length;
      counts[r.dbKey[0]!]!++;
      if (!r.entry) {
        undecodable++;
        continue;
      }
      const d = r.entry.dat;
      const size = d.value.length + d.key.length + ENTRY_OVERHEAD;
      accounted += size;
      if (d.time < tmin) tmin = d.time;
      if (d.time > tmax) tmax = d.time;
      const id = toHex(d.pubKey);
      const o = owners.get(id) ?? { records: 0, bytes: 0 };
      o.records++;
      o.bytes += size;
      owners.set(id, o);
    }
  } finally {
    await db.close();
  }
  const sorted = [...counts].sort((a, b) => a - b);
  const topOwners = [...owners]
    .sort((a, b) => b[1].records - a[1].records || b[1].bytes - a[1].bytes || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([k, v]) => ({ public_key_hex: k, records: v.records, accounted_bytes: v.bytes }));
  const timed = tmin !== Infinity;
  return {
    format: format ?? null,
    records: n,
    undecodable,
    accounted_bytes: accounted,
    stored_bytes: stored,
    time_min_ms: timed ? tmin : null,
    time_max_ms: timed ? tmax : null,
    time_min_iso: timed ? isoTime(tmin) : null,
    time_max_iso: timed ? isoTime(tmax) : null,
    owners: owners.size,
    top_owners: topOwners,
    shards: {
      used: counts.filter((c) => c > 0).length,
      min: sorted[0]!,
      median: (sorted[127]! + sorted[128]!) / 2,
      max: sorted[255]!,
      counts,
    },
  };
}

const LEVELS = '▁▂▃▄▅▆▇█';

/** 16 rows of 16 shards; '·' is an empty shard, ▁..█ scale to the fullest. */
export function histogram(counts: number[]): string[] {
  const max = Math.max(...counts);
  const rows: string[] = [];
  for (let row = 0; row < 16; row++) {
    let line = '';
    for (let i = row * 16; i < row * 16 + 16; i++) {
      const c = counts[i]!;
      line += c === 0 ? '·' : LEVELS[Math.min(LEVELS.length - 1, Math.ceil((c / max) * LEVELS.length) - 1)];
    }
    const from = (row * 16).toString(16).padStart(2, '0');
    rows.push(`  ${from}-${(row * 16 + 15).toString(16).padStart(2, '0')} ${line}`);
  }
  return rows;
}

function textReport(s: DatabaseStats): string[] {
  const lines = [
    `format        ${s.format ?? '(none recorded)'}`,
    `records       ${s.records}${s.undecodable ? ` (${s.undecodable} undecodable)` : ''}`,
    `accounted     ${s.accounted_bytes} bytes (${humanBytes(s.accounted_bytes)}; value + key + 224 per record)`,
    `stored        ${s.stored_bytes} bytes (${humanBytes(s.stored_bytes)}; entry bytes and keys)`,
    `time range    ${s.time_min_iso === null ? '-' : `${s.time_min_iso} .. ${s.time_max_iso}`}`,
    `owners        ${s.owners}`,
  ];
  if (s.top_owners.length > 0) {
    lines.push('top owners');
    for (const o of s.top_owners) lines.push(`  ${o.public_key_hex} ${o.records} records, ${humanBytes(o.accounted_bytes)}`);
  }
  const sh = s.shards;
  lines.push(`shards        ${sh.used} of 256 used; records per shard min ${sh.min}, median ${sh.median}, max ${sh.max}`);
  if (s.records > 0) lines.push('shard fill (16 shards a row; · empty, ▁..█ up to the fullest)', ...histogram(sh.counts));
  return lines;
}

/** Runs `stats`; resolves to the exit status. @throws DaveError (the CLI reports it, exit 2) */
export async function stats(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('stats', argv, ['dir'], {
    json: { type: 'boolean' },
    top: { type: 'string' },
  });
  const top = intOption(values.top, 'top', 10);
  const s = await gather(positionals[0]!, top);
  const out = new Output(io.stdout);
  if (values.json === true) await out.line(JSON.stringify(s));
  else for (const line of textReport(s)) await out.line(line);
  return s.undecodable > 0 ? EXIT_BAD_RECORDS : EXIT_OK;
}
