/**
 * Test support for the real `dave` binary (dist/lib/cli/dave.js): one-shot
 * runs with a bounded wait, and long-running nodes whose start-up lines
 * are parsed and which are always killed by stopAll() (after hooks).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DAVE = join(dirname(fileURLToPath(import.meta.url)), '../../lib/cli/dave.js');

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dave args` to completion (at most `timeoutMs`), with `input` on stdin. */
export function dave(args: string[], options: { input?: string; timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [DAVE, ...args], { timeout: options.timeoutMs ?? 30_000, cwd: options.cwd, env: options.env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(options.input ?? '');
  });
}

export interface RunningNode {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  publicKey: string;
  userKey: string;
  address: string;
  api?: string;
  ticket: string;
  /** Resolves to the exit code. */
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts `dave start args` and waits (bounded) for its start-up lines. */
export async function startNode(args: string[], timeoutMs = 20_000, options: { env?: NodeJS.ProcessEnv; umask?: number; openFiles?: number } = {}): Promise<RunningNode> {
  const argv = [DAVE, 'start', '--no-shell', '--log-format', 'json', ...args];
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  // a umask or an open-file limit (ulimit -n) is set by a shell that then execs the node
  const setup = [
    ...(options.umask === undefined ? [] : [`umask ${options.umask.toString(8).padStart(3, '0')}`]),
    ...(options.openFiles === undefined ? [] : [`ulimit -n ${options.openFiles}`]),
  ];
  const proc =
    setup.length === 0
      ? spawn(process.execPath, argv, { stdio, env: options.env })
      : spawn('/bin/sh', ['-c', `${setup.join(' && ')} && exec "$0" "$@"`, process.execPath, ...argv], { stdio, env: options.env });
  running.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => (running.delete(proc), r(code))));
  const deadline = Date.now() + timeoutMs;
  while (!/\n {2}ticket {6}\S+\n/.test(out)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`dave start did not come up (exit ${proc.exitCode}): ${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const field = (name: string) => new RegExp(`\\n {2}${name} +(.+)\\n`).exec('\n' + out)?.[1];
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    publicKey: field('public key')!,
    userKey: field('user key')!,
    address: /udp (\S+),/.exec(field('listening')!)![1]!,
    api: field('api'),
    ticket: field('ticket')!,
    exited,
  };
}

/** Sends `signal` and waits (bounded) for the exit code. */
export async function stopNode(n: RunningNode, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
  n.proc.kill(signal);
  const t = setTimeout(() => n.proc.kill('SIGKILL'), timeoutMs);
  try {
    return await n.exited;
  } finally {
    clearTimeout(t);
  }
}

/** Kills every node still running (after hooks). */
export function killAll(): void {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
}
