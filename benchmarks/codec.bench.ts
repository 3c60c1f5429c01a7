/**
 * Codec and records: ops/s of the wire codec's hot path (PUT encode and
 * decode), record verification and creation, and the store key, with the
 * Go reference measured in the same run (`godave-node bench`, go-ref.ts;
 * no Go column without the Go node). `npm run bench -- codec`.
 */
import { measureAsync, measureOps, type BenchResult } from './harness.js';
import { OP } from '../lib/constants.js';
import { signingKey, verify, verifyBackend, verifyOpenSSL } from '../lib/crypto/ed25519.js';
import { closePowPool } from '../lib/workers/pow-pool.js';
import { ready } from '../lib/crypto/hash.js';
import { datSigningHash, storeKey, verifyDat } from '../lib/records/record.js';
import { createDat } from '../lib/workers/create-dat.js';
import { decodeMessage, encodeMessage, type PutMessage } from '../lib/wire/message.js';
import { goBench } from './go-ref.js';

const GROUP = 'codec';

export async function run(): Promise<BenchResult[]> {
  await ready(); // the WASM hashes, as in a node (createDat below would load them too)
  // godave v0.0.51, one goroutine, measured now (its sign+work is 8-bit work, as createDat's default here)
  const g = goBench(['sign+work', 'verify', 'encode-put', 'decode-put']);
  const GO = { verify: g?.['verify'], create8: g?.['sign+work'], encodePut: g?.['encode-put'], decodePut: g?.['decode-put'] };
  if (g) process.stderr.write(`  Go (this run): ${Object.entries(g).map(([k, v]) => `${k} ${v}`).join(', ')} ops/s\n`);
  return measure(GO);
}

async function measure(GO: Record<'verify' | 'create8' | 'encodePut' | 'decodePut', number | undefined>): Promise<BenchResult[]> {
  const key = signingKey(new Uint8Array(32).fill(7));
  const time = Date.now();
  const dat = await createDat({ key: 'bench/key-0', value: 'v'.repeat(100), privateKey: key, time });
  const put: PutMessage = { op: OP.PUT, entry: { dat, replicas: [1n, 2n, 3n, 4n, 5n] } };
  const putBytes = encodeMessage(put);
  const size = `key 11 B, value 100 B, PUT ${putBytes.length} B`;
  const results: BenchResult[] = [];

  results.push(measureOps(GROUP, 'encode PUT', () => encodeMessage(put), { go: GO.encodePut, note: size }));
  results.push(measureOps(GROUP, 'decode PUT', () => decodeMessage(putBytes), { go: GO.decodePut, note: size }));
  results.push(
    measureOps(GROUP, 'verifyDat', () => verifyDat(dat, { now: time }), {
      go: GO.verify,
      note: `one thread; ed25519 on ${verifyBackend}`,
    }),
  );
  // the ceiling of verifyDat: the ed25519 verify alone, on each backend
  const msg = datSigningHash(dat.key, dat.value, dat.time);
  results.push(
    measureOps(GROUP, 'ed25519 verify alone', () => verify(dat.pubKey, msg, dat.sig), {
      note: `${verifyBackend} (the default), the bound on verifyDat`,
    }),
  );
  results.push(
    measureOps(GROUP, 'ed25519 verify, node:crypto', () => verifyOpenSSL(dat.pubKey, msg, dat.sig), {
      note: 'the fallback without sodium-native; parsed key cached',
    }),
  );
  results.push(measureOps(GROUP, 'storeKey', () => storeKey(dat.pubKey, dat.key), { note: 'xxhash64(pubKey ‖ key)' }));

  const n8 = 1000;
  results.push(
    await measureAsync(
      GROUP,
      'createDat, 8 bits',
      n8,
      async (round) => {
        for (let i = 0; i < n8; i++) await createDat({ key: `k${round}-${i}`, value: 'v'.repeat(100), privateKey: key, time });
      },
      { go: GO.create8, rounds: 7, note: 'sign + ~256 work hashes, main thread' },
    ),
  );
  const n16 = 8;
  results.push(
    await measureAsync(
      GROUP,
      'createDat, 16 bits',
      n16,
      async (round) => {
        for (let i = 0; i < n16; i++) await createDat({ key: `h${round}-${i}`, value: 'v', privateKey: key, time, difficulty: 16 });
      },
      { rounds: 7, note: '~65k work hashes on worker threads, one at a time' },
    ),
  );
  await closePowPool();
  return results;
}
