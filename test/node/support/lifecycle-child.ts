/**
 * Child process of the "no handles" test: opens nodes (one on the default
 * in-memory store, one on a classic-level directory given as argv[2]),
 * makes them talk, writes and reads, closes everything, and then must
 * exit by itself. Prints "closed" when close() returned.
 */
import { randomBytes } from 'node:crypto';
import { Dave } from '../../../lib/node/dave.js';
import { createDat } from '../../../lib/workers/create-dat.js';
import { FAST } from './cluster.js';

const dir = process.argv[2];
const a = await Dave.open({ listen: '127.0.0.1:0', timings: FAST });
const b = await Dave.open({ listen: '127.0.0.1:0', timings: FAST, edges: [a.address()], database: dir });
await Promise.all([a.waitForActivePeers(1), b.waitForActivePeers(1)]);
const dat = await createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(randomBytes(32)) });
const w = b.batchWriter(dat.pubKey);
await w.write(dat);
await w.close();
await a.get(dat.pubKey, 'k').catch(() => undefined);
const pending = a.get(new Uint8Array(32).fill(9), 'never', { timeoutMs: 60_000 }).catch((e: { code: string }) => e.code);
await Promise.all([a.close(), b.close()]);
await a.close(); // twice is fine
console.log(`closed ${await pending}`);
