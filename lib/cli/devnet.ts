/**
 * `dave devnet --nodes N [--dir D]`: N nodes on loopback in this process,
 * each with its own data directory under D (default ./dave-devnet, kept
 * between runs), all joined to the first as edge and all writing with one
 * user key (D/user.key), so `put` on one node and `get me` on another
 * shows a record crossing the network. Shows progress while the peers
 * prove each other, then a shell on node 1 (`use <n>` to switch).
 * Ctrl-C or quit stops them all.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Dave } from '../node/dave.js';
import { signingKey } from '../crypto/ed25519.js';
import { LocalClient } from '../api/local.js';
import { RunError, UsageError, messageOf } from './fail.js';
import { loadOrCreateKey } from './keys.js';
import { createLogger } from './log.js';
import { runShell } from './shell.js';
import { argsError } from './args.js';
import { PromptGuard } from './prompt-guard.js';
import { LOG_LEVELS, type LogLevel } from './start-options.js';
import { dialableAddresses, encodeTicket } from './ticket.js';

export const DEVNET_USAGE = 'usage: dave devnet [--nodes N (2 to 16, default 3)] [--dir DIR (default ./dave-devnet)] [--log-level LEVEL]';
const READY_TIMEOUT_MS = 30_000;

/** Proven (ID known) active peers of `n`. */
function proven(n: Dave): number {
  return n.peers().filter((p) => p.active && p.id !== 0n).length;
}

export async function runDevnet(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args: argv, options: { nodes: { type: 'string' }, dir: { type: 'string' }, 'log-level': { type: 'string' } }, strict: true }).values;
  } catch (err) {
    throw new UsageError(`devnet: ${argsError(err, argv)}`);
  }
  const count = Number(values.nodes ?? 3);
  if (!Number.isInteger(count) || count < 2 || count > 16) throw new UsageError(`--nodes ${values.nodes}: ${DEVNET_USAGE}`);
  const dir = values.dir ?? './dave-devnet';
  const level = values['log-level'] ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level ${JSON.stringify(level)}: expected one of ${LOG_LEVELS.join(', ')}`);
  // log lines go above the shell's prompt, which is redrawn
  const guard = process.stdin.isTTY === true ? new PromptGuard(process.stdout) : undefined;
  const { logger } = createLogger(level as LogLevel, undefined, guard);
  mkdirSync(dir, { recursive: true });
  const user = signingKey(loadOrCreateKey(join(dir, 'user.key')));
  const nodes: Dave[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.close().catch(() => {})));
  };
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write('\nstopping the devnet\n');
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (let i = 1; i <= count; i++) {
      const data = join(dir, `node-${i}`);
      mkdirSync(data, { recursive: true });
      const privateKey = loadOrCreateKey(join(data, 'node.key'));
      const edges = i === 1 ? [] : [nodes[0]!.address()];
      nodes.push(await Dave.open({ listen: '127.0.0.1:0', edges, database: data, privateKey, logger }));
      process.stdout.write(`node ${i}: ${nodes[i - 1]!.address()} (${data}, ${nodes[i - 1]!.recordCount()} records)\n`);
    }
  } catch (err) {
    await stopAll();
    throw new RunError(`devnet: cannot start a node: ${messageOf(err)}`);
  }
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const counts = nodes.map((n, i) => (i === 0 ? proven(n) >= count - 1 : proven(n) >= 1));
    const ready = counts.filter(Boolean).length;
    const line = `peers proven: ${ready} of ${count} nodes ready`;
    if (line !== last) process.stdout.write(line + '\n');
    last = line;
    if (ready === count) break;
    if (Date.now() > deadline || stopping) {
      process.stdout.write('not every node is ready yet; continuing (reads may need a retry)\n');
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const targets = nodes.map((n, i) => ({
    name: `node${i + 1}`,
    client: new LocalClient(n, { userKey: user, ticket: () => encodeTicket({ publicKey: n.publicKey, addresses: dialableAddresses(n.address(), null) }) }),
  }));
  process.stdout.write(`devnet ready: ${count} nodes in ${dir}; shell on node 1 (use <n> to switch, help, quit)\n`);
  process.stdout.write(`join it from elsewhere: edge ${nodes[0]!.address()} (dave start --edge ${nodes[0]!.address()}, or Dave.open({ edges: ['${nodes[0]!.address()}'] }))\n`);
  await runShell({ targets, guard });
  stopping = true;
  await stopAll();
  return 0;
}
