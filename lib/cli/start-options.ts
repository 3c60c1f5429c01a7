/**
 * `dave start` arguments: parsed and checked in full before anything
 * touches the disk or the network, so a bad argument leaves nothing
 * behind. Every problem is a UsageError (exit 2) naming the option.
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIN_CAPACITY } from '../constants.js';
import { formatAddress, parseAddress } from '../wire/address.js';
import { RunError, UsageError, messageOf } from './fail.js';
import { parseSize } from './size.js';
import { TicketError, decodeTicket, looksLikeTicket } from './ticket.js';
import { TOKEN_ENV, givenToken } from './api-files.js';
import { argsError } from './args.js';
import { edgeAddresses } from '../peers/family.js';
import { isDaveError } from '../errors.js';
import { EDGES_FILE, hostAndPort, lookupFamily, resolveHost } from '../api/join.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

export const DEFAULT_LISTEN = '[::]:1618';
export const DEFAULT_DATA = './dave-data';

export interface StartOptions {
  listen: string;
  /** Edges as given: tickets already decoded to addresses, host names still to resolve. */
  edges: { text: string; addresses?: string[]; host?: string; port?: number }[];
  data: string;
  capacity?: number;
  cache?: number;
  keyFile: string;
  /** --key-file was given (its directory must exist unless it is the data directory). */
  keyFileGiven: boolean;
  userKeyFile: string;
  api?: { host: string; port: number };
  /** From --api-token, --api-token-file or DAVE_API_TOKEN, in that order. */
  apiToken?: string;
  /** Host names the API answers to besides loopback and its address (--api-host). */
  apiHosts: string[];
  logLevel: LogLevel;
  logFormat?: LogFormat;
  shell: boolean | undefined;
}

export const START_OPTIONS = {
  listen: { type: 'string' },
  edge: { type: 'string', multiple: true },
  data: { type: 'string' },
  db: { type: 'string' },
  capacity: { type: 'string' },
  cache: { type: 'string' },
  'key-file': { type: 'string' },
  'user-key': { type: 'string' },
  api: { type: 'string' },
  'api-token': { type: 'string' },
  'api-token-file': { type: 'string' },
  'api-host': { type: 'string', multiple: true },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  verbose: { type: 'boolean' },
  shell: { type: 'boolean' },
  'no-shell': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function size(name: string, text: string | undefined, min: number, why: string): number | undefined {
  if (text === undefined) return undefined;
  if (/^\s*-/.test(text)) throw new UsageError(`--${name} ${text}: a size cannot be negative (examples: 1073741824, 512MB, 2GiB)`);
  const n = parseSize(text);
  if (n === null) throw new UsageError(`--${name} ${JSON.stringify(text)} is not a size (examples: 1073741824, 512MB, 2GiB)`);
  if (n < min) throw new UsageError(`--${name} ${text} is too small: ${why}`);
  return n;
}

/**
 * Checks --listen: an IP literal and port, or host:port (`localhost:1618`,
 * resolved at start as an --edge name is), with room for TCP on port + 1.
 * Returns the address, or the name to resolve.
 */
export function checkListen(text: string): string {
  const h = hostAndPort(text);
  if (h !== null) {
    if (h.port === 0xffff) throw new UsageError(`--listen ${text}: port 65535 leaves no TCP port (TCP listens on the UDP port + 1, at most 65535)`);
    return text;
  }
  let a;
  try {
    a = parseAddress(text);
  } catch (err) {
    throw new UsageError(`--listen ${JSON.stringify(text)}: ${messageOf(err)} (or HOST:PORT, e.g. localhost:1618)`);
  }
  if (a.port === 0xffff) throw new UsageError(`--listen ${text}: port 65535 leaves no TCP port (TCP listens on the UDP port + 1, at most 65535)`);
  return formatAddress(a);
}

/**
 * The --listen address as an IP literal: a host name resolved (localhost
 * to ::1 or 127.0.0.1, as the system says).
 * @throws RunError when the name does not resolve
 */
export async function resolveListen(listen: string): Promise<string> {
  const h = hostAndPort(listen);
  if (h === null) return listen;
  try {
    return await resolveHost(h.host, h.port, 0, '--listen');
  } catch (err) {
    throw new RunError(messageOf(err));
  }
}

function checkEdge(text: string): StartOptions['edges'][number] {
  if (looksLikeTicket(text)) {
    try {
      return { text, addresses: decodeTicket(text).addresses.map(formatAddress) };
    } catch (err) {
      if (err instanceof TicketError) throw new UsageError(`--edge: ${err.message}`);
      throw err;
    }
  }
  try {
    return { text, addresses: [formatAddress(parseAddress(text))] };
  } catch {
    const m = /^([A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/.exec(text);
    const port = m ? Number(m[2]) : -1;
    if (!m || port < 1 || port > 0xfffe || isIP(m[1]!) !== 0) {
      throw new UsageError(`--edge ${JSON.stringify(text)}: expected a ticket, 1.2.3.4:port, [v6]:port or host:port`);
    }
    return { text, host: m[1]!, port };
  }
}

function checkApi(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : -1;
  if (!m || port > 0xffff || (m[1] !== 'localhost' && isIP(m[1]!) === 0)) {
    throw new UsageError(`--api ${JSON.stringify(text)}: expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0 picks one)`);
  }
  return { host: m[1]!, port };
}

/** @throws UsageError */
export function parseStartArgs(argv: string[]): StartOptions | 'help' {
  let values;
  try {
    const parsed = parseArgs({ args: argv, options: START_OPTIONS, strict: true, allowPositionals: true });
    if (parsed.positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
    values = parsed.values;
  } catch (err) {
    throw new UsageError(`start: ${argsError(err, argv)} (dave start --help)`);
  }
  if (values.help) return 'help';
  if (values.data !== undefined && values.db !== undefined) throw new UsageError('--db is the old name of --data: give one of them');
  const data = values.data ?? values.db ?? DEFAULT_DATA;
  const level = values['log-level'] ?? (values.verbose ? 'debug' : 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level ${JSON.stringify(level)}: expected one of ${LOG_LEVELS.join(', ')}`);
  const format = values['log-format'];
  if (format !== undefined && format !== 'json' && format !== 'pretty') throw new UsageError(`--log-format ${JSON.stringify(format)}: expected json or pretty`);
  if (values.shell && values['no-shell']) throw new UsageError('--shell and --no-shell contradict each other');
  if (values['api-token'] !== undefined && values['api-token-file'] !== undefined) throw new UsageError('--api-token and --api-token-file: give one of them');
  const token = givenToken({ token: values['api-token'], tokenFile: values['api-token-file'] });
  const from = values['api-token'] !== undefined ? '--api-token' : values['api-token-file'] !== undefined ? `--api-token-file ${values['api-token-file']}` : TOKEN_ENV;
  if (token !== undefined && !/^[A-Za-z0-9._~+/=-]{16,200}$/.test(token)) throw new UsageError(`${from}: the token must be 16 to 200 characters without spaces`);
  const apiHosts = (values['api-host'] ?? []).map((h) => {
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(h) || h.length > 253) {
      throw new UsageError(`--api-host ${JSON.stringify(h)}: expected a host name such as dave.lan (addresses of this host are allowed already)`);
    }
    return h.toLowerCase().replace(/\.$/, '');
  });
  return {
    listen: checkListen(values.listen ?? DEFAULT_LISTEN),
    edges: (values.edge ?? []).map(checkEdge),
    data,
    capacity: size('capacity', values.capacity, MIN_CAPACITY, `the largest record takes ${MIN_CAPACITY} bytes`),
    cache: size('cache', values.cache, 0, 'must not be negative'),
    keyFile: values['key-file'] ?? join(data, 'node.key'),
    keyFileGiven: values['key-file'] !== undefined,
    userKeyFile: values['user-key'] ?? join(data, 'user.key'),
    api: values.api === undefined ? undefined : checkApi(values.api),
    apiToken: token,
    apiHosts,
    logLevel: level as LogLevel,
    logFormat: format as LogFormat | undefined,
    shell: values.shell ? true : values['no-shell'] ? false : undefined,
  };
}

/** A line of the data directory's edges file, checked as --edge is. @throws UsageError naming the file */
function savedEdge(text: string, data: string): StartOptions['edges'][number] {
  try {
    return checkEdge(text);
  } catch (err) {
    throw new UsageError(`saved edge in ${join(data, EDGES_FILE)}: ${messageOf(err).replace(/^--edge:? ?/, '')} (edit the file to change it)`);
  }
}

/**
 * The edges as addresses Dave.open takes: host names resolved (DNS) in
 * the families `listen` (resolved) reaches, tickets reduced to their
 * addresses of those families; an edge with none is a usage error naming
 * the family, before anything is opened (peers/family.ts, the check
 * Dave.addEdge and the shell's join make too). `saved`: the data
 * directory's edges file (join --save).
 * @throws RunError when a name does not resolve; UsageError for an edge of the wrong family
 */
export async function resolveEdges(o: StartOptions, listen: string, saved: string[] = []): Promise<string[]> {
  const bound = parseAddress(listen);
  const out: string[] = [];
  const given = [...o.edges.map((e) => ({ e, label: `--edge ${e.text}` })), ...saved.map((t) => ({ e: savedEdge(t, o.data), label: `saved edge ${t} (${join(o.data, EDGES_FILE)}: edit the file to change it)` }))];
  for (const { e, label } of given) {
    let texts: string[];
    if (e.host !== undefined) {
      try {
        texts = [await resolveHost(e.host, e.port!, lookupFamily(listen), label.split(' ')[0]!)];
      } catch (err) {
        throw new RunError(`${label}: ${messageOf(err).replace(/^\S+ \S+: /, '')}`);
      }
    } else texts = looksLikeTicket(e.text) ? [e.text] : e.addresses!; // a ticket: its usable addresses, or why none
    for (const t of texts) {
      try {
        out.push(...edgeAddresses(t, bound, label.startsWith('--edge') ? '--edge' : `saved edge (${join(o.data, EDGES_FILE)}: edit the file to change it):`).map(formatAddress));
      } catch (err) {
        if (isDaveError(err)) throw new UsageError(messageOf(err));
        throw err;
      }
    }
  }
  return [...new Set(out)];
}
