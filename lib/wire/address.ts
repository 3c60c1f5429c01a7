/**
 * Addresses on the wire (docs/protocol.md §2): 16 bytes of IPv6 address, then a u16
 * port, little-endian. IPv4 travels IPv4-mapped (::ffff:a.b.c.d).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ADDR_LEN } from '../constants.js';
import { DaveError } from '../errors.js';
import { checkBytes, copyOf, need, readU16, writeU16 } from './bytes.js';

/** An address and port; `ip` is always 16 bytes (IPv4 mapped). */
export interface AddrPort {
  ip: Uint8Array;
  port: number;
}

function bad(msg: string): never {
  throw new DaveError('ERR_BAD_ADDRESS', msg);
}

/**
 * Parses an IPv4 or IPv6 literal into 16 bytes, mapping IPv4.
 * @throws DaveError ERR_BAD_ADDRESS
 */
export function ipToBytes(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (isIPv4(text)) {
    out[10] = 0xff;
    out[11] = 0xff;
    text.split('.').forEach((p, i) => (out[12 + i] = Number(p)));
    return out;
  }
  if (!isIPv6(text)) bad(`not an IP address: ${JSON.stringify(ip)}`);
  let head = text;
  let tail = '';
  const dbl = text.indexOf('::');
  if (dbl >= 0) {
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const words: number[] = [];
    for (const part of s.split(':')) {
      if (part.includes('.')) {
        const b = part.split('.').map(Number);
        words.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else words.push(parseInt(part, 16));
    }
    return words;
  };
  const h = groups(head);
  const t = groups(tail);
  const words = dbl >= 0 ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  words.forEach((w, i) => {
    out[i * 2] = w >>> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/**
 * True when 16 address bytes hold an IPv4-mapped address.
 * Never throws.
 */
export function isMappedIPv4(ip: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/**
 * Textual form: dotted quad for IPv4-mapped, compressed IPv6 otherwise.
 * Never throws.
 */
export function bytesToIp(ip: Uint8Array): string {
  if (isMappedIPv4(ip)) return `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((ip[i]! << 8) | ip[i + 1]!);
  // longest run of zero words (length >= 2) becomes "::"
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

/**
 * Builds an AddrPort from an IP literal and a port.
 * @throws DaveError ERR_BAD_ADDRESS
 */
export function addrPort(ip: string, port: number): AddrPort {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) bad(`port out of range: ${port}`);
  return { ip: ipToBytes(ip), port };
}

/**
 * Parses "1.2.3.4:5", "[::1]:5" or "host-literal:port".
 * @throws DaveError ERR_BAD_ADDRESS
 */
export function parseAddress(text: string): AddrPort {
  if (typeof text !== 'string') bad('address must be a string');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) bad(`address must look like 1.2.3.4:port or [v6]:port, got ${JSON.stringify(text)}`);
  return addrPort(m[1]!, Number(m[2]));
}

/**
 * "1.2.3.4:5" or "[::1]:5".
 * Never throws.
 */
export function formatAddress(a: AddrPort): string {
  const ip = bytesToIp(a.ip);
  return isMappedIPv4(a.ip) ? `${ip}:${a.port}` : `[${ip}]:${a.port}`;
}

/** A Map identity for an address (addressKey): a number for IPv4, a string for IPv6. */
export type AddressKey = number | string;

/**
 * A Map identity for an address: for IPv4 (mapped) the number
 * address x 65536 + port (exact, below 2^48), else the 18 wire bytes in
 * hex. A number because the receive path makes one key per datagram and
 * per listed peer: it is built and hashed without a string. The two forms
 * never meet (a number is never equal to a string).
 * Never throws.
 */
export function addressKey(a: AddrPort): AddressKey {
  const ip = a.ip;
  if (ip.length === 16 && isMappedIPv4(ip)) return ipv4Word(ip) * 65536 + a.port;
  let s = '';
  for (let i = 0; i < ip.length; i++) s += HEX[ip[i]!]!;
  return `${s}:${a.port}`;
}
/** The IPv4 address of an IPv4-mapped one (bytes 12 to 15), as a u32. Never throws. */
export function ipv4Word(ip: Uint8Array): number {
  return ((ip[12]! << 24) | (ip[13]! << 16) | (ip[14]! << 8) | ip[15]!) >>> 0;
}

/** Two hex digits per byte value (a table, not a Buffer or two strings per byte). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Checks that `a` can be encoded: a 16-byte ip and an integer port 0..65535.
 * @throws DaveError ERR_INVALID_ARGUMENT
 */
export function checkAddrPort(a: AddrPort, name = 'address'): AddrPort {
  if (a === null || typeof a !== 'object') {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name} must be an object`);
  }
  checkBytes(a.ip, 16, `${name}.ip`);
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 0xffff) {
    throw new DaveError('ERR_INVALID_ARGUMENT', `${name}.port must be an integer from 0 to 65535`);
  }
  return a;
}

/**
 * Writes the 18 wire bytes of `a` at `offset`; returns the end. Internal: run checkAddrPort first.
 * Never throws.
 */
export function encodeAddress(a: AddrPort, out: Uint8Array, offset: number): number {
  out.set(a.ip, offset);
  writeU16(out, offset + 16, a.port);
  return offset + ADDR_LEN;
}

/**
 * Reads the 18 wire bytes at `offset`; the ip is a copy.
 * @throws DaveError ERR_TRUNCATED
 */
export function decodeAddress(buf: Uint8Array, offset: number): AddrPort {
  need(buf, offset, ADDR_LEN, 'address');
  return { ip: copyOf(buf, offset, offset + 16), port: readU16(buf, offset + 16, 'address port') };
}
