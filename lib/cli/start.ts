/**
 * `dave start`: run a node until SIGINT or SIGTERM (or `quit` at its
 * shell). Arguments are checked, key files read and edge names resolved
 * before anything is created; new key files are written only once the
 * node is open, and a data directory this run created is removed again if
 * the start fails, so a failed start leaves nothing behind.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Dave } from '../node/dave.js';
import { isDaveError } from '../errors.js';
import { signingKey } from '../crypto/ed25519.js';
import { randomBytes } from 'node:crypto';
import { SEED_LEN } from '../constants.js';
import { toHex } from '../wire/bytes.js';
import { LocalClient } from '../api/local.js';
import { createMetrics } from '../api/metrics.js';
import { ApiServer } from '../api/server.js';
import { newToken } from '../api/auth.js';
import { RunError, UsageError, messageOf } from './fail.js';
import { createKeyFile, readKeyFile } from './keys.js';
import { createLogger } from './log.js';
import { fdLimit, limitWarning, watchFds } from './fd-watch.js';
import { runShell } from './shell.js';
import { type StartOptions, parseStartArgs, resolveEdges, resolveListen } from './start-options.js';
import { PromptGuard } from './prompt-guard.js';
import { saveEdge, savedEdges } from '../api/join.js';
import { dialableAddresses, encodeTicket } from './ticket.js';
import { formatSize } from './size.js';
import { API_TOKEN_FILE, API_URL_FILE } from './api-files.js';
import { API_SOCKET_FILE, socketPathFits } from '../api/socket.js';
import { START_USAGE } from './help.js';

export { START_USAGE };

/** Reads a key that exists, or plans a fresh one to write once the node is open. */
function keyPlan(file: string): { seed: Uint8Array; isNew: boolean } {
  const seed = readKeyFile(file);
  return seed ? { seed, isNew: false } : { seed: new Uint8Array(randomBytes(SEED_LEN)), isNew: true };
}

function checkKeyDir(file: string, data: string, option: string): void {
  const dir = dirname(resolve(file));
  if (dir !== resolve(data) && !existsSync(dir)) {
    throw new UsageError(`${option} ${file}: directory ${dir} does not exist (only the data directory is created)`);
  }
}

/** One line for a failure to open the node. */
function openError(err: unknown, o: StartOptions): Error {
  const e = err as { code?: string; syscall?: string; port?: number };
  if (isDaveError(err, 'ERR_DATABASE_IN_USE')) return new RunError(`data directory ${o.data} is in use by another process (is a node running?)`);
  if (isDaveError(err)) return new RunError(`cannot start: ${messageOf(err)} (${err.code})`);
  // the node's bind error already names the port, UDP or TCP (node/bind.ts)
  if (err instanceof Error && /^(UDP|TCP) port \d+/.test(err.message)) return new RunError(`--listen ${o.listen}: ${err.message}`);
  if (e.code === 'EADDRINUSE') {
    const udpPort = Number(o.listen.slice(o.listen.lastIndexOf(':') + 1));
    return e.syscall === 'listen'
      ? new RunError(`--listen ${o.listen}: TCP port ${e.port ?? udpPort + 1} (the UDP port + 1) is in use`)
      : new RunError(`--listen ${o.listen}: UDP port ${e.port ?? udpPort} is in use`);
  }
  if (e.code === 'EADDRNOTAVAIL') return new RunError(`--listen ${o.listen}: that address is not on this host`);
  if (e.code === 'EACCES') return new RunError(`--listen ${o.listen}: permission denied (ports below 1024 need privileges)`);
  return new RunError(`cannot start: ${messageOf(err)}`);
}

export async function runStart(argv: string[]): Promise<number> {
  const o = parseStartArgs(argv);
  if (o === 'help') {
    process.stdout.write(START_USAGE);
    return 0;
  }
  // Everything this process creates (LevelDB's files as they come and go,
  // keys, token, socket) is the user's alone, whatever umask it inherited.
  process.umask(process.umask() | 0o077);
  if (o.keyFileGiven) checkKeyDir(o.keyFile, o.data, '--key-file');
  checkKeyDir(o.userKeyFile, o.data, '--user-key');
  const nodeKey = keyPlan(o.keyFile);
  const userKey = keyPlan(o.userKeyFile);
  const listen = await resolveListen(o.listen);
  const saved = savedEdges(o.data);
  const edges = await resolveEdges(o, listen, saved);
  const shell = o.shell ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
  // with a shell, log lines go above its prompt, which is redrawn
  const guard = shell ? new PromptGuard(process.stdout) : undefined;
  const { logger: log } = createLogger(o.logLevel, o.logFormat, guard);
  const fdWarning = limitWarning(fdLimit());
  if (fdWarning !== null) log.warn(fdWarning);
  let stopFdWatch = () => {};

  let node: Dave | null = null;
  let api: ApiServer | null = null;
  let stopping: Promise<number> | null = null;
  let finished!: (code: number) => void;
  const done = new Promise<number>((r) => (finished = r));
  const stop = (why: string): Promise<number> => {
    if (stopping) return stopping;
    log.info(`dave: ${why}, closing`);
    const guard = setTimeout(() => {
      log.error('dave: close took over 10 s, exiting');
      process.exit(1);
    }, 10_000);
    guard.unref();
    stopping = (async () => {
      let code = 0;
      stopFdWatch();
      try {
        await api?.close();
        await node?.close();
      } catch (err) {
        log.error('dave: close failed:', err);
        code = 1;
      }
      rmSync(join(o.data, API_URL_FILE), { force: true });
      clearTimeout(guard);
      log.info('dave: closed');
      finished(code);
      return code;
    })();
    return stopping;
  };
  // A terminal's Ctrl-C reaches every process of the group, and npm (npm start) also forwards
  // the one it got: a second signal within a second is the same request, not a second Ctrl-C.
  let firstSignalAt = 0;
  const onSignal = (sig: string) => {
    if (stopping && Date.now() - firstSignalAt < 1000) return;
    if (stopping) {
      log.warn(`dave: ${sig} again, exiting without waiting`);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void stop(sig);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const createdData = !existsSync(o.data);
  try {
    makePrivate(o.data, createdData, log);
    node = await Dave.open({ listen, edges, database: o.data, capacity: o.capacity, cacheCapacity: o.cache, privateKey: nodeKey.seed, logger: log });
    if (nodeKey.isNew) createKeyFile(o.keyFile, nodeKey.seed);
  } catch (err) {
    await node?.close().catch(() => {});
    if (createdData) rmSync(o.data, { recursive: true, force: true });
    throw err instanceof RunError ? err : openError(err, o);
  }
  const n = node;
  stopFdWatch = watchFds(log);
  // A key made above is written now, with the seed the node opened with.
  if (userKey.isNew) createKeyFile(o.userKeyFile, userKey.seed);
  const signer = signingKey(userKey.seed);
  const ticket = () => encodeTicket({ publicKey: n.publicKey, addresses: dialableAddresses(n.address(), n.publicAddress()) });
  const metrics = createMetrics(n);
  const client = new LocalClient(n, { userKey: signer, ticket, observeGet: metrics.observeGet, saveEdge: (e) => saveEdge(o.data, e) });
  if (o.api) {
    const token = o.apiToken ?? readToken(o.data);
    try {
      const socketPath = join(o.data, API_SOCKET_FILE);
      const socket = socketPathFits(socketPath) ? socketPath : undefined;
      if (socket === undefined) log.warn(`dave: ${socketPath} is too long for a Unix socket; the CLI will need --api URL and a token`);
      api = await ApiServer.listen({ client, metrics, host: o.api.host, port: o.api.port, token, hosts: o.apiHosts, socketPath: socket, logger: log });
    } catch (err) {
      await n.close();
      if (createdData) rmSync(o.data, { recursive: true, force: true });
      const code = (err as { code?: string }).code;
      throw new RunError(`--api ${o.api.host}:${o.api.port}: ${code === 'EADDRINUSE' ? 'port in use' : messageOf(err)}`);
    }
    writeFileSync(join(o.data, API_URL_FILE), api.url + '\n');
  }
  if (stopping) {
    // a signal came while opening: stop() found nothing open yet, so close here
    await api?.close();
    await n.close();
    rmSync(join(o.data, API_URL_FILE), { force: true });
    return done;
  }
  const loaded = n.recordCount();
  // the open (records loaded, time taken) is logged by the library (node/views/announce.ts)
  process.stdout.write(
    [
      `dave node ${(await client.status()).id}`,
      `  public key  ${toHex(n.publicKey)}`,
      `  listening   udp ${n.address()}, tcp port ${Number(n.address().slice(n.address().lastIndexOf(':') + 1)) + 1}`,
      `  data        ${o.data} (${loaded} records, ${formatSize(n.usedSpace())} of ${formatSize(n.capacity())})`,
      `  user key    ${toHex(signer.publicKey)}`,
      ...(api ? [`  api         ${api.url}`] : []),
      `  ticket      ${ticket()}`,
      '',
    ].join('\n'),
  );
  if (saved.length > 0) log.info(`dave: joining ${saved.length} saved edge${saved.length === 1 ? '' : 's'} from ${join(o.data, 'edges')} (join --save)`);
  // the status line once a minute is the library's (node/views/announce.ts), through the logger
  if (shell) {
    void runShell({ targets: [{ name: 'dave', client }], guard }).then(() => stop('quit'));
  }
  return done;
}

/**
 * Creates the data directory 0700, or warns when an existing one lets
 * other users in (the node leaves a directory it did not make as it is).
 */
function makePrivate(data: string, create: boolean, log: { warn: (msg: string) => void }): void {
  if (create) {
    mkdirSync(data, { recursive: true, mode: 0o700 });
    chmodSync(data, 0o700);
    return;
  }
  const mode = statSync(data).mode & 0o777;
  if ((mode & 0o077) !== 0) log.warn(`dave: data directory ${data} is open to other users (mode ${mode.toString(8)}); chmod 700 ${data}`);
}

/** The token in DIR/api.token, created 0600 on first use. */
function readToken(data: string): string {
  const file = join(data, API_TOKEN_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const t = newToken();
  writeFileSync(file, t + '\n', { mode: 0o600 });
  return t;
}
