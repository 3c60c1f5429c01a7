#!/usr/bin/env node
/**
 * `dave`: run a node until SIGINT or SIGTERM.
 *
 *   dave [--listen ADDR:PORT] [--edge ADDR:PORT ...] [--db DIR]
 *        [--capacity BYTES] [--key-file FILE] [--verbose]
 *
 * With no arguments: UDP [::]:1618 (dual stack; TCP on 1619), LevelDB in
 * ./dave-data, the node key in ./dave-data/node.key (created 0600 on the
 * first run). Logs go to stderr.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SEED_LEN } from '../constants.js';
import { Dave } from '../node/dave.js';
import type { Logger } from '../node/options.js';

export const DEFAULT_LISTEN = '[::]:1618';
export const DEFAULT_DB = './dave-data';

const USAGE = `usage: dave [options]

Runs a Dave node (UDP; TCP on the UDP port + 1) until Ctrl-C / SIGTERM.

options:
  --listen ADDR:PORT  UDP address to bind (default ${DEFAULT_LISTEN}: all
                      interfaces, IPv4 and IPv6; TCP on port + 1)
  --edge ADDR:PORT    a bootstrap peer; repeat for several (IPv4 or [IPv6])
  --db DIR            LevelDB directory (default ${DEFAULT_DB})
  --capacity BYTES    bytes of records to keep (default 1073741824, 1 GiB)
  --key-file FILE     the node's 32-byte ed25519 seed, hex; created 0600 if
                      absent (default DIR/node.key)
  --verbose           debug logging
  --help              this text
`;

function stderrLogger(verbose: boolean): Logger {
  const line = (level: string, args: unknown[]) =>
    process.stderr.write(`${new Date().toISOString()} ${level} ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}\n`);
  return {
    debug: (...a) => verbose && line('debug', a),
    info: (...a) => line('info', a),
    warn: (...a) => line('warn', a),
    error: (...a) => line('error', a),
  };
}

/** Reads the seed at `file` (hex), or creates one there with mode 0600. */
export function loadOrCreateKey(file: string): Uint8Array {
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error(`${file}: expected ${SEED_LEN * 2} hex characters`);
    return new Uint8Array(Buffer.from(text, 'hex'));
  }
  mkdirSync(dirname(file), { recursive: true });
  const seed = new Uint8Array(randomBytes(SEED_LEN));
  writeFileSync(file, Buffer.from(seed).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return seed;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        listen: { type: 'string', default: DEFAULT_LISTEN },
        edge: { type: 'string', multiple: true, default: [] },
        db: { type: 'string', default: DEFAULT_DB },
        capacity: { type: 'string' },
        'key-file': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    process.stderr.write(`dave: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = stderrLogger(args.verbose === true);
  const db = args.db!;
  const capacity = args.capacity === undefined ? undefined : Number(args.capacity);
  if (capacity !== undefined && !(Number.isSafeInteger(capacity) && capacity >= 0)) {
    process.stderr.write(`dave: --capacity must be a whole number of bytes\n`);
    return 2;
  }
  // signals are handled from the start, so one that arrives while the
  // node is opening still closes it cleanly
  let node: Dave | null = null;
  let stopping = false;
  let status: NodeJS.Timeout | undefined;
  let stopped!: (code: number) => void;
  const done = new Promise<number>((resolve) => (stopped = resolve));
  const stop = (signal: string) => {
    if (stopping) {
      log.warn(`dave: ${signal} again, exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    log.info(`dave: ${signal}, closing`);
    clearInterval(status);
    if (node === null) return; // still opening: closed right after
    node.close().then(
      () => stopped(0),
      (err) => {
        log.error('dave: close failed:', err);
        stopped(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    mkdirSync(db, { recursive: true });
    const privateKey = loadOrCreateKey(args['key-file'] ?? join(db, 'node.key'));
    node = await Dave.open({ listen: args.listen, edges: args.edge, database: db, capacity, privateKey, logger: log });
  } catch (err) {
    const code = (err as { code?: string }).code;
    log.error(`dave: cannot start${code ? ` (${code})` : ''}:`, err);
    return 1;
  }
  const n = node;
  log.info(`dave: database ${db}, ${args.edge!.length} edge(s), public key ${Buffer.from(n.publicKey).toString('hex')}`);
  if (stopping) {
    await n.close();
    return 0;
  }
  status = setInterval(() => {
    const s = n.stats();
    log.info(
      `dave: ${n.activePeerCount()} active of ${n.peers().length} peers; ${n.usedSpace()} of ${n.capacity()} bytes; ` +
        `stored ${s.recordsStored}, malformed ${s.malformed}, verify failures ${s.verifyFailures}`,
    );
  }, 60_000);
  status.unref();
  return done;
}

process.exitCode = await main(process.argv.slice(2));
