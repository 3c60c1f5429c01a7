/**
 * The node's logs through pino: JSON lines on stderr, or pino-pretty's
 * readable lines when stderr is a terminal (or --log-format pretty).
 * Adapts pino to the node's Logger interface (lib/node/options.ts).
 */
import { pino } from 'pino';
import pretty from 'pino-pretty';
import { type Logger, silentLogger } from '../node/options.js';
import type { PromptGuard } from './prompt-guard.js';

import type { LogFormat, LogLevel } from './start-options.js';

function text(args: unknown[]): { msg: string; err?: Error } {
  const err = args.find((a): a is Error => a instanceof Error);
  return { msg: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '), err };
}

/**
 * A pino logger on stderr, and the same as a node Logger. `guard` keeps a
 * shell's prompt intact: lines are written above it (cli/prompt-guard.ts).
 * Levels below `level` are the node's no-op, so the node skips building
 * those lines (node/options.ts isSilent).
 */
export function createLogger(level: LogLevel, format: LogFormat | undefined, guard?: PromptGuard): { pino: pino.Logger; logger: Logger } {
  const usePretty = format === 'pretty' || (format === undefined && process.stderr.isTTY === true);
  const target = guard ? guard.stream(process.stderr) : undefined;
  const dest = usePretty
    ? pretty({ destination: target ?? 2, sync: true, colorize: process.stderr.isTTY === true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' })
    : (target ?? pino.destination({ dest: 2, sync: true }));
  const p = pino({ level, base: { pid: process.pid } }, dest);
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const { msg, err } = text(args);
    if (err && lvl !== 'debug' && lvl !== 'info') p[lvl]({ code: (err as { code?: string }).code }, msg);
    else p[lvl](msg);
  };
  const on = (lvl: 'debug' | 'info' | 'warn' | 'error') => (p.isLevelEnabled(lvl) ? at(lvl) : silentLogger[lvl]);
  return { pino: p, logger: { debug: on('debug'), info: on('info'), warn: on('warn'), error: on('error') } };
}
