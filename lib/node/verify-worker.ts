/**
 * Worker thread of the verify pool: verifies batches of Dats (spec §4) and
 * answers with null (valid) or the DaveError code and message, per Dat.
 */
import { parentPort } from 'node:worker_threads';
import { isDaveError } from '../errors.js';
import type { Dat } from '../wire/dat.js';
import { verifyDat } from '../records/record.js';

interface Batch {
  id: number;
  nows: number[];
  skews: number[];
  dats: Dat[];
}

parentPort!.on('message', (batch: Batch) => {
  const results: ([string, string] | null)[] = batch.dats.map((dat, i) => {
    try {
      verifyDat(dat, { now: batch.nows[i], maxClockSkew: batch.skews[i] });
      return null;
    } catch (err) {
      return isDaveError(err) ? [err.code, err.message] : ['ERR_BAD_SIGNATURE', String(err)];
    }
  });
  parentPort!.postMessage({ id: batch.id, results });
});
