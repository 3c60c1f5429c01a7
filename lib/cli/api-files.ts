/**
 * How the one-shot commands and `dave shell` reach a running node's API,
 * and where a bearer token comes from.
 *
 * Found through the data directory, the node is reached over its Unix
 * socket `DIR/api.sock` (0600; no token is sent: the file mode is the
 * check). Without a socket (a path too long for one), `DIR/api.url` names
 * the port, but no token is sent there unless the user gives one: a port
 * written by a node that has since died may belong to anyone now. A token
 * is only ever sent where the user said: `--token`, `--api-token-file
 * FILE` or `DAVE_API_TOKEN`, with `--api URL` or that URL file.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_SOCKET_FILE } from '../api/socket.js';
import type { ApiTarget } from '../api/client.js';
import { RunError, UsageError } from './fail.js';

export const API_URL_FILE = 'api.url';
export const API_TOKEN_FILE = 'api.token';
/** The environment variable a token may come from (argv is visible to every local user in `ps`). */
export const TOKEN_ENV = 'DAVE_API_TOKEN';

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isSocket(path: string): boolean {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Where a token was given: an option's text, a file, or the environment. */
export interface TokenSources {
  /** --token / --api-token TOKEN (visible in `ps`: prefer the others). */
  token?: string;
  /** --api-token-file FILE */
  tokenFile?: string;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The token the user gave, or undefined: the option, else the file, else
 * DAVE_API_TOKEN.
 * @throws UsageError when the file cannot be read or is empty
 */
export function givenToken(s: TokenSources, option = '--api-token-file'): string | undefined {
  if (s.token !== undefined) return s.token;
  if (s.tokenFile !== undefined) {
    const t = readText(s.tokenFile);
    if (t === undefined) throw new UsageError(`${option} ${s.tokenFile}: cannot read that file`);
    if (t.length === 0) throw new UsageError(`${option} ${s.tokenFile}: the file is empty`);
    return t;
  }
  const e = (s.env ?? process.env)[TOKEN_ENV];
  return e === undefined || e === '' ? undefined : e.trim();
}

/**
 * Where to reach the API and the token to send: `--api URL` with the
 * token given, else the node's socket in `data`, else its api.url with
 * the token given (if any).
 * @throws RunError when no API can be found; UsageError for a bad token file
 */
export function findApi(data: string, api?: string, tokens: TokenSources = {}): ApiTarget & { token?: string } {
  const token = givenToken(tokens);
  if (api === undefined) {
    const socketPath = join(data, API_SOCKET_FILE);
    if (isSocket(socketPath)) return { url: `unix:${socketPath}`, socketPath };
  }
  const url = api ?? readText(join(data, API_URL_FILE));
  if (url === undefined) {
    throw new RunError(`no running API found in ${data} (start the node with --api 127.0.0.1:PORT, or pass --api URL)`, 2);
  }
  if (!/^https?:\/\/[^\s/]+\/?$/.test(url)) throw new RunError(`--api ${url}: expected a URL such as http://127.0.0.1:8080`, 2);
  return { url, token };
}
