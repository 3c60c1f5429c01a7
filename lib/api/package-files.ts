/**
 * Files of the installed package the API serves: its version, the web
 * page's own files (lib/api/web/, plain ES modules shipped as they are, no
 * build step) and uPlot's, resolved from the `uplot` dependency. Compiled
 * code runs from dist/lib/api/, three folders below the package root.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function readVersion(): string {
  try {
    return String((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** dave-kv's version, from its package.json. */
export const PACKAGE_VERSION = readVersion();

/** The page's folder in the package. */
export const WEB_DIR = join(PACKAGE_ROOT, 'lib', 'api', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  type: string;
  body: Buffer;
}

function typeOf(name: string): string | undefined {
  return TYPES[name.slice(name.lastIndexOf('.'))];
}

/**
 * Every file the page may load, by URL path, read once into memory (about
 * 200 kB): `/` is index.html, `/web/NAME` a file of lib/api/web/,
 * `/web/vendor/NAME` uPlot's script and style. Nothing else is reachable:
 * no path from the request is ever joined to a folder.
 */
export function loadAssets(): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(WEB_DIR)) {
    const type = typeOf(name);
    if (!type || !/^[a-z][a-z0-9-]*\.[a-z]+$/.test(name)) continue;
    const body = readFileSync(join(WEB_DIR, name));
    out.set(name === 'index.html' ? '/' : `/web/${name}`, { type, body });
  }
  const require = createRequire(import.meta.url);
  for (const [name, file] of [
    ['uPlot.esm.js', 'uplot/dist/uPlot.esm.js'],
    ['uPlot.min.css', 'uplot/dist/uPlot.min.css'],
  ] as const) {
    out.set(`/web/vendor/${name}`, { type: typeOf(name)!, body: readFileSync(require.resolve(file)) });
  }
  return out;
}
