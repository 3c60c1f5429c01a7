/**
 * Byte helpers for the wire codec: bounded little-endian reads and writes
 * over Uint8Array, hex, equality. Every read checks its bounds first and
 * throws ERR_TRUNCATED; nothing here reads past the end.
 */
import { DaveError } from '../errors.js';

const MASK64 = (1n << 64n) - 1n;
/** 2^64 - 1, the largest u64. */
export const MAX_U64 = MASK64;

/**
 * Fresh zeroed bytes for the codec's output. Small arrays are carved out of
 * shared 8 KiB ArrayBuffers, as Node's Buffer pool does: creating a view is
 * ~6x cheaper than allocating its own backing store, and encode/decode
 * allocate once per call. Each region is handed out once, so it is as
 * fresh as `new Uint8Array(len)`; only `.buffer` is shared (always use
 * `byteOffset`/`byteLength` with it).
 * Never throws.
 */
export function alloc(len: number): Uint8Array {
  if (len > SLAB_SIZE >>> 2) return new Uint8Array(len);
  if (slabUsed + len > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = new Uint8Array(slab, slabUsed, len);
  slabUsed = (slabUsed + len + 7) & ~7; // keep 8-byte alignment
  return out;
}
const SLAB_SIZE = 8192;
let slab = new ArrayBuffer(SLAB_SIZE);
let slabUsed = 0;

/**
 * A fresh copy of buf[start, end), from alloc().
 * Never throws.
 */
export function copyOf(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = alloc(end - start);
  out.set(buf.subarray(start, end));
  return out;
}

const scratch = new DataView(new ArrayBuffer(8));

/**
 * Writes a u64 already checked to be in [0, 2^64), without allocating a DataView.
 * Never throws.
 */
export function writeU64Unchecked(buf: Uint8Array, offset: number, value: bigint): void {
  scratch.setBigUint64(0, value, true);
  for (let i = 0; i < 8; i++) buf[offset + i] = scratch.getUint8(i);
}

/**
 * Reads a u64 whose bounds the caller checked, without allocating a DataView.
 * Never throws.
 */
export function readU64Unchecked(buf: Uint8Array, offset: number): bigint {
  for (let i = 0; i < 8; i++) scratch.setUint8(i, buf[offset + i]!);
  return scratch.getBigUint64(0, true);
}

/**
 * A DataView over exactly the bytes of `buf`. Never throws.
 */
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

/**
 * Reads a little-endian u16.
 * @throws DaveError ERR_TRUNCATED
 */
export function readU16(buf: Uint8Array, offset: number, what: string): number {
  need(buf, offset, 2, what);
  return buf[offset]! | (buf[offset + 1]! << 8);
}

/**
 * Writes a little-endian u16 (the low 16 bits of `value`). Never throws.
 */
export function writeU16(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value & 0xff;
  buf[offset + 1] = (value >>> 8) & 0xff;
}

/**
 * Reads a little-endian u64.
 * @throws DaveError ERR_TRUNCATED
 */
export function readU64(buf: Uint8Array, offset: number, what: string): bigint {
  need(buf, offset, 8, what);
  return view(buf).getBigUint64(offset, true);
}

/**
 * Reads a little-endian i64.
 * @throws DaveError ERR_TRUNCATED
 */
export function readI64(buf: Uint8Array, offset: number, what: string): bigint {
  need(buf, offset, 8, what);
  return view(buf).getBigInt64(offset, true);
}

/**
 * Writes the low 64 bits of `value` (so -1n and 2^64-1 give the same bytes).
 * @throws RangeError only when `buf` lacks the 8 bytes (a caller bug)
 */
export function writeU64(buf: Uint8Array, offset: number, value: bigint): void {
  view(buf).setBigUint64(offset, value & MASK64, true);
}

const TWO32 = 0x1_0000_0000;

/**
 * Reads a little-endian i64 of milliseconds as a number, without BigInt.
 * @throws DaveError ERR_TRUNCATED, ERR_BAD_TIME (outside the safe integers)
 */
export function readTime(buf: Uint8Array, offset: number, what: string): number {
  need(buf, offset, 8, what);
  const lo = (buf[offset]! | (buf[offset + 1]! << 8) | (buf[offset + 2]! << 16) | (buf[offset + 3]! << 24)) >>> 0;
  const hi = buf[offset + 4]! | (buf[offset + 5]! << 8) | (buf[offset + 6]! << 16) | (buf[offset + 7]! << 24);
  // exact while |hi| <= 2^21; the safe-integer check then does the rest
  const t = hi * TWO32 + lo;
  if (hi > 0x1f_ffff || hi < -0x20_0000 || !Number.isSafeInteger(t)) {
    throw new DaveError('ERR_BAD_TIME', `${what}: outside the safe integer range`);
  }
  return t;
}

/**
 * Writes a safe integer as a little-endian i64 (two's complement).
 * Never throws.
 */
export function writeTime(buf: Uint8Array, offset: number, t: number): void {
  const lo = t >>> 0; // ToUint32: t mod 2^32, right for negatives too
  const hi = Math.floor(t / TWO32) | 0;
  buf[offset] = lo & 0xff;
  buf[offset + 1] = (lo >>> 8) & 0xff;
  buf[offset + 2] = (lo >>> 16) & 0xff;
  buf[offset + 3] = lo >>> 24;
  buf[offset + 4] = hi & 0xff;
  buf[offset + 5] = (hi >>> 8) & 0xff;
  buf[offset + 6] = (hi >>> 16) & 0xff;
  buf[offset + 7] = (hi >>> 24) & 0xff;
}

/**
 * A copy of `len` bytes at `offset`, bounds checked.
 * @throws DaveError ERR_TRUNCATED
 */
export function slice(buf: Uint8Array, offset: number, len: number, what: string): Uint8Array {
  need(buf, offset, len, what);
  return buf.slice(offset, offset + len);
}

/**
 * True when `a` and `b` hold the same bytes. Never throws.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A new array holding `parts` one after another. Never throws.
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return joinBytes(parts);
}

/**
 * concatBytes for an array of any length (a spread call is limited by the
 * engine's argument count). Never throws.
 */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
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

/**
 * Lower-case hex of `bytes`. Never throws.
 */
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

/**
 * A key or value given as string (UTF-8) or bytes, as bytes.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function toBytes(value: string | Uint8Array, name: string): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be a string or a Uint8Array`);
}

/**
 * True when `value` is a Uint8Array of `len` bytes.
 * Never throws.
 */
export function isBytes(value: unknown, len: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === len;
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

/**
 * A reusable buffer for gathering bytes from several places before one
 * hash, without allocating per call: `gather` copies ranges in, `view(n)`
 * is its first n bytes as a view made once per length (hot paths hash one
 * record at a time, and a subarray per call is ~100 bytes of garbage).
 * Views stay valid until a gather outgrows the buffer. Never throws.
 */
export class Scratch {
  private buf: Uint8Array;
  private views: (Uint8Array | undefined)[] = [];

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  /** Copies `src[from, to)` to offset `at`, growing the buffer when needed; returns the offset after it. */
  gather(at: number, src: Uint8Array, from: number, to: number): number {
    const end = at + (to - from);
    if (end > this.buf.length) {
      const grown = new Uint8Array(Math.max(end, this.buf.length * 2));
      grown.set(this.buf);
      this.buf = grown;
      this.views = [];
    }
    const b = this.buf;
    for (let i = from, o = at; i < to; i++, o++) b[o] = src[i]!;
    return end;
  }

  /** The first `n` bytes (at most what was gathered) as a view, made once per length. */
  view(n: number): Uint8Array {
    return (this.views[n] ??= this.buf.subarray(0, n));
  }
}
