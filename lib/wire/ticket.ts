/**
 * Join tickets: one copy-pasteable string holding a node's public key and
 * its dialable addresses. "dave" followed by base58check (@scure/base,
 * 4 bytes of double SHA-256 checksum) of
 *
 *   version (1) ‖ public key (32) ‖ count (1) ‖ count × (IPv6 or
 *   IPv4-mapped address (16) ‖ UDP port (2, big-endian))
 *
 * A mangled ticket fails the checksum and is refused. Here, below the
 * node, so that Dave.addEdge, the API and the CLI all read tickets.
 */
import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { PUBKEY_LEN } from '../constants.js';
import type { AddrPort } from './address.js';

const PREFIX = 'dave';
const VERSION = 1;
const MAX_ADDRESSES = 16;
const codec = createBase58check(sha256);

export interface Ticket {
  publicKey: Uint8Array;
  addresses: AddrPort[];
}

export class TicketError extends Error {}

export function encodeTicket(t: Ticket): string {
  const addrs = t.addresses.slice(0, MAX_ADDRESSES);
  const out = new Uint8Array(2 + PUBKEY_LEN + addrs.length * 18);
  out[0] = VERSION;
  out.set(t.publicKey, 1);
  out[1 + PUBKEY_LEN] = addrs.length;
  addrs.forEach((a, i) => {
    const o = 2 + PUBKEY_LEN + i * 18;
    out.set(a.ip, o);
    out[o + 16] = a.port >> 8;
    out[o + 17] = a.port & 0xff;
  });
  return PREFIX + codec.encode(out);
}

/** True when `text` looks meant as a ticket (not host:port). */
export function looksLikeTicket(text: string): boolean {
  return text.startsWith(PREFIX) && !text.includes(':');
}

/** @throws TicketError naming what is wrong */
export function decodeTicket(text: string): Ticket {
  if (!text.startsWith(PREFIX)) throw new TicketError('a ticket starts with "dave"');
  let b: Uint8Array;
  try {
    b = codec.decode(text.slice(PREFIX.length).trim());
  } catch {
    throw new TicketError('ticket is damaged (checksum or characters wrong); copy it again whole');
  }
  if (b[0] !== VERSION) throw new TicketError(`ticket version ${b[0]} is not supported (this dave reads version ${VERSION})`);
  const n = b[1 + PUBKEY_LEN] ?? -1;
  if (b.length !== 2 + PUBKEY_LEN + n * 18 || n < 1) throw new TicketError('ticket has the wrong length');
  const addresses: AddrPort[] = [];
  for (let i = 0; i < n; i++) {
    const o = 2 + PUBKEY_LEN + i * 18;
    addresses.push({ ip: b.slice(o, o + 16), port: (b[o + 16]! << 8) | b[o + 17]! });
  }
  return { publicKey: b.slice(1, 1 + PUBKEY_LEN), addresses };
}
