/**
 * Address rules for the peer table: which addresses learned from a PONG
 * are worth dialling, and which addresses share a host or a prefix (for
 * the per-host and per-prefix caps).
 * Pure functions over 16-byte IPs (IPv4 mapped, docs/protocol.md §2).
 */
import { type AddrPort, ipv4Word, isMappedIPv4 } from '../wire/address.js';

function allZero(ip: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (ip[i] !== 0) return false;
  return true;
}

/** :: or ::ffff:0.0.0.0 (or any 0.x.x.x, "this network"). */
export function isUnspecified(ip: Uint8Array): boolean {
  if (isMappedIPv4(ip)) return ip[12] === 0;
  return allZero(ip, 0, 16);
}

/** ff00::/8, or IPv4 224.0.0.0/4, or IPv4 broadcast. */
export function isMulticast(ip: Uint8Array): boolean {
  if (isMappedIPv4(ip)) return (ip[12]! & 0xf0) === 0xe0 || (ip[12] === 255 && ip[13] === 255 && ip[14] === 255 && ip[15] === 255);
  return ip[0] === 0xff;
}

/** ::1 or 127.0.0.0/8. */
export function isLoopback(ip: Uint8Array): boolean {
  if (isMappedIPv4(ip)) return ip[12] === 127;
  return allZero(ip, 0, 15) && ip[15] === 1;
}

/**
 * True when an address from a PONG list may enter the table: not
 * unspecified, not multicast or broadcast, port not 0. (godave adds
 * whatever it is told.)
 */
export function isDialable(a: AddrPort): boolean {
  return a.ip.length === 16 && a.port !== 0 && !isUnspecified(a.ip) && !isMulticast(a.ip);
}

/** A Map identity for a host or a prefix (hostKey, prefixKey): a number for IPv4, a string otherwise. */
export type NetKey = number | string;

/** The host an address belongs to: the IPv4 address (as a u32), or the IPv6 /64 (hex). */
export function hostKey(ip: Uint8Array): NetKey {
  if (isMappedIPv4(ip)) return ipv4Word(ip);
  let s = '';
  for (let i = 0; i < 8; i++) s += HEX[ip[i]!]!;
  return s;
}
/** Two hex digits per byte value (a table, not two strings per byte: keys are made for every listed peer of every PONG). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The prefix an address belongs to: the IPv4 /24 (as a number), or the IPv6 /48 (hex); "lo" for loopback. */
export function prefixKey(ip: Uint8Array): NetKey {
  if (isLoopback(ip)) return 'lo';
  if (isMappedIPv4(ip)) return ipv4Word(ip) >>> 8;
  let s = '';
  for (let i = 0; i < 6; i++) s += HEX[ip[i]!]!;
  return s;
}

/** "4" for an IPv4 (mapped) address, "6" for IPv6: the address family, for the per-key cap. */
export function family(ip: Uint8Array): '4' | '6' {
  return isMappedIPv4(ip) ? '4' : '6';
}

/** Same IP and port. */
export function sameAddress(a: AddrPort, b: AddrPort): boolean {
  if (a.port !== b.port) return false;
  // last byte first: two IPv4 addresses differ at the end, and PONG lists are checked against ours
  for (let i = 15; i >= 0; i--) if (a.ip[i] !== b.ip[i]) return false;
  return true;
}
