/**
 * createDat as the package exports it: records/signDat, with the search
 * for difficulties of PARALLEL_WORK_FROM (16) bits and up on the
 * proof-of-work worker pool (workers/pow-pool.ts), so the event loop stays
 * free; lower difficulties (the default 8) search on this thread. The
 * records layer stays pure: it takes the search as an argument.
 */
import type { Dat } from '../wire/dat.js';
import { PARALLEL_WORK_FROM, solveWorkParallel } from './pow-pool.js';
import { type CreateDatOptions, type WorkSolver, signDat, solveHere } from '../records/record.js';

/** The search createDat uses: worker threads from PARALLEL_WORK_FROM bits, else this thread. */
export const solveOnPool: WorkSolver = (sig, difficulty) =>
  difficulty >= PARALLEL_WORK_FROM ? solveWorkParallel(sig, difficulty) : solveHere(sig, difficulty);

/**
 * Creates a signed Dat with its proof of work. Salts are searched as godave
 * searches them, so the same inputs give godave's bytes. At difficulty 16
 * and above the search runs on worker threads, one per core, and the event
 * loop stays free.
 * @throws DaveError ERR_INVALID_ARGUMENT, ERR_TOO_LARGE (key over 255 bytes
 *   or key + value over 1224 bytes)
 */
export function createDat(options: CreateDatOptions): Promise<Dat> {
  return signDat(options, solveOnPool);
}
