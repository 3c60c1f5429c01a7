/**
 * Joining at run time: the text a user gives (`join` in the shell, `dave
 * join`, POST /edges, `--edge` at start) to the addresses Dave.addEdge
 * takes. Tickets and IP literals pass through; a `host:port` is resolved
 * (DNS, `localhost` included) in the families the node's address reaches,
 * so `localhost` means the same in --listen and --edge. Saved edges are
 * kept one per line in the data directory's `edges` file, read at start.
 */
import { lookup } from 'node:dns/promises';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DaveError } from '../errors.js';
import { formatAddress, isMappedIPv4, parseAddress } from '../wire/address.js';
import { looksLikeTicket } from '../wire/ticket.js';
import { isUnspecified } from '../peers/address.js';

/** The data directory's file of edges kept by `join --save`. */
export const EDGES_FILE = 'edges';

/** `host:port` with a DNS name (not an IP literal), or null. */
export function hostAndPort(text: string): { host: string; port: number } | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/.exec(text);
  if (!m || isIP(m[1]!) !== 0) return null;
  return { host: m[1]!, port: Number(m[2]) };
}

/** The DNS family a node bound to `bound` can use: 4, 6, or 0 for both. */
export function lookupFamily(bound: string): 0 | 4 | 6 {
  const b = parseAddress(bound);
  if (isMappedIPv4(b.ip)) return 4;
  return isUnspecified(b.ip) ? 0 : 6;
}

/**
 * Resolves a name to one address of `family` (0: either), as "ip:port".
 * @throws DaveError ERR_BAD_ADDRESS (the name does not resolve in that family)
 */
export async function resolveHost(host: string, port: number, family: 0 | 4 | 6, what: string): Promise<string> {
  try {
    const r = await lookup(host, { family });
    return formatAddress(parseAddress(`${r.family === 6 ? `[${r.address}]` : r.address}:${port}`));
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    const fam = family === 0 ? '' : ` as IPv${family} (the only family the node's address reaches)`;
    throw new DaveError('ERR_BAD_ADDRESS', `${what} ${host}:${port}: cannot resolve ${host}${fam} (${code})`);
  }
}

/**
 * The texts Dave.addEdge takes for `edge`: a ticket or an IP literal as
 * given, a host name resolved for a node bound to `bound`.
 * @throws DaveError ERR_BAD_ADDRESS
 */
export async function edgeTexts(edge: string, bound: string): Promise<string[]> {
  const text = edge.trim();
  if (looksLikeTicket(text)) return [text];
  const h = hostAndPort(text);
  if (h === null) return [text]; // an IP literal, or something addEdge refuses with its own message
  if (h.port < 1 || h.port > 0xfffe) throw new DaveError('ERR_BAD_ADDRESS', `edge ${text}: port must be 1 to 65534`);
  return [await resolveHost(h.host, h.port, lookupFamily(bound), 'edge')];
}

/** The edges saved in `data` (one per line; blank lines and # comments skipped). */
export function savedEdges(data: string): string[] {
  const file = join(data, EDGES_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Keeps `edge` in `data`'s edges file for the next start (once). */
export function saveEdge(data: string, edge: string): void {
  if (savedEdges(data).includes(edge.trim())) return;
  appendFileSync(join(data, EDGES_FILE), edge.trim() + '\n', { mode: 0o600 });
}
