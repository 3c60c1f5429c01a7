/**
 * How dave-db shows records: hex, ISO times, keys and short previews of
 * values, and the NDJSON object of a record (the field names follow the
 * godave vector files: public_key_hex, key_hex, time_ms, replicas_u64...).
 */
import { toHex } from '../../wire/bytes.js';
import type { Entry } from '../../wire/entry.js';
import { storeKeyOfRecord } from '../../store/layout.js';
import { textOf } from '../../api/views.js';
import { formatSize } from '../size.js';
import { entrySize, nodeId, shardOf } from '../../records/record.js';

/** True for text without control characters other than tab, newline and carriage return. */
export function isPrintable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(text);
}

/** ISO 8601 of a time in ms, or "invalid-time(<ms>)" when out of Date's range. */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `invalid-time(${ms})` : d.toISOString();
}

/** A key for a text line: JSON-quoted UTF-8, or 0x-hex when not printable UTF-8. */
export function showKey(key: Uint8Array): string {
  const text = textOf(key);
  return text !== null && isPrintable(text) ? JSON.stringify(text) : `0x${toHex(key)}`;
}

/** A short printable preview of a value: quoted text cut at `max` characters, or leading bytes in hex. */
export function preview(value: Uint8Array, max = 32): string {
  if (value.length === 0) return '""';
  const text = textOf(value);
  if (text !== null && isPrintable(text)) {
    const chars = [...text];
    return chars.length > max ? JSON.stringify(chars.slice(0, max).join('')) + '…' : JSON.stringify(text);
  }
  const n = Math.max(1, max >> 1);
  return `0x${toHex(value.subarray(0, n))}${value.length > n ? '…' : ''}`;
}

/** One text line of `dave-db dump`. */
export function textLine(entry: Entry): string {
  const d = entry.dat;
  return [
    toHex(d.pubKey),
    showKey(d.key),
    isoTime(d.time),
    `${d.value.length}B`,
    `replicas=${entry.replicas.join(',')}`,
    preview(d.value),
  ].join(' ');
}

/** The NDJSON object of `dave-db dump --json`: every field, binary as hex, u64s as decimal strings. */
export function jsonRecord(dbKey: Uint8Array, entry: Entry): Record<string, unknown> {
  const d = entry.dat;
  const key = textOf(d.key);
  const value = textOf(d.value);
  const sk = storeKeyOfRecord(dbKey);
  const owner = nodeId(d.pubKey);
  return {
    public_key_hex: toHex(d.pubKey),
    owner_id_u64: owner.toString(),
    key,
    key_hex: toHex(d.key),
    time_ms: d.time,
    time_iso: isoTime(d.time),
    replicas_u64: entry.replicas.map(String),
    value_size: d.value.length,
    ...(value !== null && isPrintable(value) ? { value } : {}),
    val_hex: toHex(d.value),
    salt_hex: toHex(d.salt),
    work_hex: toHex(d.work),
    sig_hex: toHex(d.sig),
    store_key_u64: sk.toString(),
    shard: shardOf(sk),
    entry_size: entrySize(d),
  };
}

/** Bytes as a human size with one decimal: 1234567 → "1.2 MiB". */
export function humanBytes(n: number): string {
  return formatSize(n, 1);
}
