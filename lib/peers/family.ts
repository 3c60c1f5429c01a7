/**
 * Address families: which peers a socket bound to an address can reach.
 * A socket on `[::]` is dual stack and reaches both families; one bound
 * to an IPv4 address (held IPv4-mapped) reaches only IPv4; one bound to
 * a specific IPv6 address (`[::1]`, `[2001:db8::1]`) reaches only IPv6.
 * Edges of a family the node cannot reach stay silent for ever, so the
 * node, the CLI and the API refuse them, or name the family when an edge
 * is silent.
 */
import { DaveError } from '../errors.js';
import { type AddrPort, formatAddress, isMappedIPv4, parseAddress } from '../wire/address.js';
import { decodeTicket, looksLikeTicket } from '../wire/ticket.js';
import { isUnspecified } from './address.js';

export type Family = 'IPv4' | 'IPv6';

export function familyOf(a: AddrPort): Family {
  return isMappedIPv4(a.ip) ? 'IPv4' : 'IPv6';
}

/** The families a socket bound to `bound` can send to. */
export function reachableFamilies(bound: AddrPort): Family[] {
  if (isMappedIPv4(bound.ip)) return ['IPv4'];
  return isUnspecified(bound.ip) ? ['IPv4', 'IPv6'] : ['IPv6'];
}

/** True when a socket bound to `bound` can send to `to`. */
export function canReach(bound: AddrPort, to: AddrPort): boolean {
  return reachableFamilies(bound).includes(familyOf(to));
}

/**
 * Why `bound` cannot reach `to`, as the end of a sentence that starts
 * with the edge's name; null when it can.
 */
export function familyMismatch(bound: AddrPort, to: AddrPort): string | null {
  if (canReach(bound, to)) return null;
  const edge = familyOf(to);
  const listen = formatAddress(bound);
  const fix = edge === 'IPv4' ? `listen on [::]:PORT (both families) or an IPv4 address` : `listen on [::]:PORT (both families) or an IPv6 address`;
  return `is ${edge} and this node listens on ${listen}, ${edge === 'IPv4' ? 'IPv6' : 'IPv4'} only, so it cannot reach it: ${fix}, or give the edge's ${edge === 'IPv4' ? 'IPv6' : 'IPv4'} address`;
}

/**
 * The addresses of `edge` (an address or a join ticket) that a node bound
 * to `bound` can reach.
 * @throws DaveError ERR_BAD_ADDRESS (unparsable, or only addresses of a
 *   family the node cannot reach), ERR_INVALID_ARGUMENT (a damaged ticket)
 */
export function edgeAddresses(edge: string, bound: AddrPort, name = 'edge'): AddrPort[] {
  const text = edge.trim();
  let addrs: AddrPort[];
  if (looksLikeTicket(text)) {
    try {
      addrs = decodeTicket(text).addresses;
    } catch (err) {
      throw new DaveError('ERR_INVALID_ARGUMENT', `${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    addrs = [parseAddress(text)];
  }
  const usable = addrs.filter((a) => canReach(bound, a));
  if (usable.length > 0) return usable;
  const what = addrs.length === 1 ? formatAddress(addrs[0]!) : `every address of the ticket (${addrs.map(formatAddress).join(', ')})`;
  throw new DaveError('ERR_BAD_ADDRESS', `${name} ${what} ${familyMismatch(bound, addrs[0]!)}`);
}
