/**
 * A complete signed record (Dat) in JSON: every byte field as hex or as
 * base64 (`"encoding": "base64"`; default hex), time in milliseconds.
 * The client signs; the server verifies before storing anything.
 */
import { invalidArgument } from '../errors.js';
import { toHex } from '../wire/bytes.js';
import { type Dat, checkDat } from '../wire/dat.js';

const FIELDS = ['salt', 'work', 'sig', 'pubKey', 'key', 'value'] as const;

function bytesField(body: Record<string, unknown>, name: string, encoding: 'hex' | 'base64'): Uint8Array {
  const v = body[name];
  if (typeof v !== 'string') invalidArgument(`${name} must be a ${encoding} string`);
  if (encoding === 'hex') {
    if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) invalidArgument(`${name} is not hex (an even number of 0-9a-f digits)`);
    return new Uint8Array(Buffer.from(v, 'hex'));
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) invalidArgument(`${name} is not base64`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

/**
 * Reads a Dat from a JSON object.
 * @throws DaveError ERR_INVALID_ARGUMENT (a field missing or not hex/base64),
 *   the codec codes of checkDat (wrong lengths, too large)
 */
export function datFromJson(body: Record<string, unknown>): Dat {
  const encoding = body.encoding ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') invalidArgument('encoding must be "hex" or "base64"');
  const time = body.time;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) invalidArgument('time must be a non-negative integer of milliseconds');
  const f = Object.fromEntries(FIELDS.map((n) => [n, bytesField(body, n, encoding)])) as Record<(typeof FIELDS)[number], Uint8Array>;
  return checkDat({ time, ...f });
}

/** A Dat as JSON with hex fields (what datFromJson reads back). */
export function datToJson(dat: Dat): Record<string, string | number> {
  return {
    time: dat.time,
    salt: toHex(dat.salt),
    work: toHex(dat.work),
    sig: toHex(dat.sig),
    pubKey: toHex(dat.pubKey),
    key: toHex(dat.key),
    value: toHex(dat.value),
  };
}
