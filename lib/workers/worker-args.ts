/**
 * Node flags for worker threads started by this package.
 */

/**
 * The parent's Node flags, as workers inherit them by default, less
 * --input-type: valid only for a main script given with -e, it makes a
 * worker fail to load (`node --input-type=module -e ...`).
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--input-type') i++;
    else if (!a.startsWith('--input-type=')) out.push(a);
  }
  return out;
}
