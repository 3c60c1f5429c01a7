/**
 * Worker thread of the verify pool: checks the signatures of batches of Dats
 * (docs/protocol.md §4, records/checkSignature; the pool ran the cheap
 * checks before queueing them), packed by verify-batch.ts into one transferred
 * buffer, and answers per Dat with null (valid), the DaveError's code and
 * message, or, for any other error, its name and message (a bug reported
 * as what it is, not as a bad signature). The batch path's hand-off
 * (packSignatures: Dats whose cheap checks passed on the main thread) is
 * answered with one bit per Dat.
 */
import { parentPort } from 'node:worker_threads';
import { isDaveError } from '../errors.js';
import { ready } from '../crypto/hash.js';
import { checkSignature } from '../records/record.js';
import type { VerifyResult } from './verify-pool.js';
import { unpackBatch, verifySignatures } from './verify-batch.js';

await ready(); // the WASM BLAKE3 before the first batch (messages wait in the port until the listener below)

interface Batch {
  id: number;
  packed: Uint8Array;
}

/** The batch path's hand-off (verify-batch packSignatures): signatures only, answered as one bit per Dat. */
interface SignatureBatch {
  id: number;
  sigs: Uint8Array;
}

parentPort!.on('message', (batch: Batch | SignatureBatch) => {
  if ('sigs' in batch) {
    const { valid, errors } = verifySignatures(batch.sigs);
    parentPort!.postMessage({ id: batch.id, valid, errors }, [valid.buffer as ArrayBuffer]);
    return;
  }
  const results: VerifyResult[] = unpackBatch(batch.packed).map(({ dat }) => {
    try {
      checkSignature(dat);
      return null;
    } catch (err) {
      if (isDaveError(err)) return { code: err.code, message: err.message };
      const e = err instanceof Error ? err : new Error(String(err));
      return { code: null, name: e.name, message: e.message };
    }
  });
  parentPort!.postMessage({ id: batch.id, results });
});
