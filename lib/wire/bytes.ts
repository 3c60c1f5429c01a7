/**
 * Byte helpers for the wire codec: bounded little-endian reads and writes
 * over Uint8Array, hex, equality. Every read checks its bounds first and
 * throws ERR_TRUNCATED; nothing here reads past the end.
 */
import { DaveError } from '../errors.js';

const MASK64 = (1n << 64n) - 1n;

export function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Throws ERR_TRUNCATED unless `buf` holds `need` bytes from `offset`. */
export function need(buf: Uint8Array, offset: number, need: number, what: string): void {
  if (offset + need > buf.length) {
    throw new DaveError(
      'ERR_TRUNCATED',
      `${what}: needs ${need} bytes at offset ${offset}, input has ${buf.length}`,
    );
  }
}

export function readU16(buf: Uint8Array, offset: number, what: string): number {
  need(buf, offset, 2, what);
  return buf[offset]! | (buf[offset + 1]! << 8);
}

export function writeU16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value & 0xff;
  buf[offset + 1] = (value >>> 8) & 0xff;
}

export function readU64(buf: Uint8Array, offset: number, what: string): bigint {
  need(buf, offset, 8, what);
  return view(buf).getBigUint64(offset, true);
}

export function readI64(buf: Uint8Array, offset: number, what: string): bigint {
  need(buf, offset, 8, what);
  return view(buf).getBigInt64(offset, true);
}

/** Writes the low 64 bits of `value` (so -1n and 2^64-1 give the same bytes). */
export function writeU64(buf: Uint8Array, offset: number, value: bigint): void {
  view(buf).setBigUint64(offset, value & MASK64, true);
}

/** A copy of `len` bytes at `offset`, bounds checked. */
export function slice(buf: Uint8Array, offset: number, len: number, what: string): Uint8Array {
  need(buf, offset, len, what);
  return buf.slice(offset, offset + len);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses even-length hex; throws ERR_INVALID_ARGUMENT otherwise. */
export function fromHex(hex: string, name = 'hex'): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be an even-length hex string`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

const encoder = new TextEncoder();

/** A key or value given as string (UTF-8) or bytes, as bytes. */
export function toBytes(value: string | Uint8Array, name: string): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be a string or a Uint8Array`);
}

/** Throws ERR_INVALID_ARGUMENT unless `value` is a Uint8Array of `len` bytes. */
export function checkBytes(value: unknown, len: number, name: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== len) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be a Uint8Array of ${len} bytes`);
  }
  return value;
}

/** Throws ERR_INVALID_ARGUMENT unless `value` is a bigint in [0, 2^64). */
export function checkU64(value: unknown, name: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MASK64) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be a bigint in [0, 2^64)`);
  }
  return value;
}
