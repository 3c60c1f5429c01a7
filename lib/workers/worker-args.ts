/**
 * Node flags for worker threads started by this package.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Flags of the parent that a worker refused (V8 options such as
 * --max-old-space-size or --expose-gc, which are process-wide: the worker
 * runs under them anyway), learnt from the first refusal.
 */
const refused = new Set<string>();

/**
 * The parent's Node flags, as workers inherit them by default, less
 * --input-type (valid only for a main script given with -e, it makes a
 * worker fail to load: `node --input-type=module -e ...`) and less any flag
 * a worker has refused before.
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--input-type') i++;
    else if (!a.startsWith('--input-type=') && !refused.has(a)) out.push(a);
  }
  return out;
}

/**
 * Starts a worker thread on `script` with workerExecArgv(). Node refuses,
 * synchronously and with ERR_WORKER_INVALID_EXEC_ARGV, a worker whose
 * execArgv holds a V8 option: `node --max-old-space-size=4096 dave.js
 * start` would otherwise run with no verify or work workers at all. On that
 * refusal the flags Node names are left out (for this worker and every
 * later one) and the worker is started once more; anything else is thrown.
 */
export function startWorkerThread(script: URL, options: WorkerOptions = {}): Worker {
  try {
    return new Worker(script, { ...options, execArgv: workerExecArgv() });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    const named = refusedFlags(String((err as Error).message));
    for (const flag of named) refused.add(flag);
    // when Node's message names none of our flags, start with none at all
    return new Worker(script, { ...options, execArgv: named.length > 0 ? workerExecArgv() : [] });
  }
}

/** The flags in Node's "Initiated Worker with invalid execArgv flags: --a, --b" that the parent has. */
function refusedFlags(message: string): string[] {
  const named = message.slice(message.lastIndexOf(': ') + 2).split(', ');
  return process.execArgv.filter((a) => named.includes(a));
}
