/**
 * Worker thread of the verify pool: verifies batches of Dats (spec §4),
 * packed by verify-batch.ts into one transferred buffer, and answers with
 * null (valid) or the DaveError code and message, per Dat.
 */
import { parentPort } from 'node:worker_threads';
import { isDaveError } from '../errors.js';
import { verifyDat } from '../records/record.js';
import { unpackBatch } from './verify-batch.js';

interface Batch {
  id: number;
  packed: Uint8Array;
}

parentPort!.on('message', (batch: Batch) => {
  const results: ([string, string] | null)[] = unpackBatch(batch.packed).map(({ dat, now, skew }) => {
    try {
      verifyDat(dat, { now, maxClockSkew: skew });
      return null;
    } catch (err) {
      return isDaveError(err) ? [err.code, err.message] : ['ERR_BAD_SIGNATURE', String(err)];
    }
  });
  parentPort!.postMessage({ id: batch.id, results });
});
