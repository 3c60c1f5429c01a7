/**
 * Files in the data directory through which the one-shot commands and
 * `dave shell` find a running node's API: its URL (written while the API
 * listens, removed at stop) and its bearer token (0600).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunError } from './fail.js';

export const API_URL_FILE = 'api.url';
export const API_TOKEN_FILE = 'api.token';

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The API URL and token to use: --api and --token when given, else what
 * the node running on `data` wrote there.
 * @throws RunError when no API can be found
 */
export function findApi(data: string, api?: string, token?: string): { url: string; token?: string } {
  const url = api ?? readText(join(data, API_URL_FILE));
  if (url === undefined) {
    throw new RunError(`no running API found in ${data} (start the node with --api 127.0.0.1:PORT, or pass --api URL)`, 2);
  }
  if (!/^https?:\/\/[^\s/]+\/?$/.test(url)) throw new RunError(`--api ${url}: expected a URL such as http://127.0.0.1:8080`, 2);
  return { url, token: token ?? readText(join(data, API_TOKEN_FILE)) };
}
