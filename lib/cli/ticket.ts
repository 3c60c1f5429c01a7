/**
 * Join tickets on the command line: the codec (lib/wire/ticket.ts) and
 * the addresses a node puts in its own ticket.
 */
import { networkInterfaces } from 'node:os';
import { type AddrPort, addrPort, bytesToIp, formatAddress, isMappedIPv4, parseAddress } from '../wire/address.js';

export { type Ticket, TicketError, decodeTicket, encodeTicket, looksLikeTicket } from '../wire/ticket.js';

function isUnspecified(ip: Uint8Array): boolean {
  const t = bytesToIp(ip);
  return t === '::' || t === '0.0.0.0';
}

/**
 * Addresses other hosts can dial for a node bound to `bound`: the bound
 * address itself, or for a wildcard bind every interface address of the
 * families it covers (link-local IPv6 left out: it needs a zone), loopback
 * only when there is nothing else; then the public address an edge
 * reported, if any.
 */
export function dialableAddresses(bound: string, publicAddress: string | null): AddrPort[] {
  const b = parseAddress(bound);
  const out: AddrPort[] = [];
  if (!isUnspecified(b.ip)) out.push(b);
  else {
    const v4only = isMappedIPv4(b.ip);
    const all = Object.values(networkInterfaces()).flatMap((l) => l ?? []);
    const usable = all.filter((i) => (i.family === 'IPv4' || !v4only) && !i.address.toLowerCase().startsWith('fe80'));
    const external = usable.filter((i) => !i.internal);
    for (const i of external.length > 0 ? external : usable) out.push(addrPort(i.address, b.port));
  }
  if (publicAddress !== null) {
    const p = parseAddress(publicAddress);
    if (!out.some((a) => formatAddress(a) === formatAddress(p))) out.unshift(p);
  }
  return out;
}
