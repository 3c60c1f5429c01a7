/**
 * lib/workers/pow-pool.ts: proof of work on worker threads. The event loop
 * keeps running while a difficulty-16 record is created, results verify
 * and equal the sequential search's, and concurrent calls all finish.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { closePowPool, powPoolSize, solveWorkParallel } from '../../lib/workers/pow-pool.js';
import { leadingZeroBits, solveWork, workHash } from '../../lib/crypto/work.js';
import { verifyDat } from '../../lib/records/record.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { toHex } from '../../lib/wire/bytes.js';
import { availableParallelism } from 'node:os';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const rand = (n: number) => new Uint8Array(randomBytes(n));
const seed = new Uint8Array(32).fill(9);

describe('workers/pow-pool', function () {
  this.timeout(60_000);

  after(() => closePowPool());

  it('keeps the event loop ticking while a difficulty-16 createDat runs', async () => {
    const time = Date.now();
    // warm the pool so the measurement is of the search, not of worker start-up
    await createDat({ key: 'warm', value: 'up', privateKey: seed, difficulty: 16, time });
    let ticks = 0;
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 2);
    const started = performance.now();
    const elu0 = performance.eventLoopUtilization();
    try {
      // several in a row so the search lasts long enough to measure
      for (let i = 0; i < 4; i++) {
        const dat = await createDat({ key: `k${i}`, value: 'v', privateKey: seed, difficulty: 16, time });
        verifyDat(dat, { minWork: 16, now: time });
      }
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    expect(powPoolSize(), 'workers still running (no fallback to the main thread)').to.equal(availableParallelism());
    // the main thread mostly waits: the hashing happens elsewhere
    const busy = performance.eventLoopUtilization(elu0).utilization;
    expect(busy, 'main thread event-loop utilisation').to.be.below(0.5);
    expect(ticks, `${ticks} ticks in ${elapsed.toFixed(0)} ms (longest gap ${maxGap.toFixed(0)} ms)`).to.be.greaterThan(0);
    // A wall-clock test, and it says why: what is asserted is where the
    // search runs. The utilisation above is this thread's own accounting (a
    // search run here shows as ~1); the tick count only shows the loop was
    // not blocked throughout. No bound on the tick rate or the longest gap:
    // with one worker per core the workers and this thread share every core,
    // so both follow the OS scheduler under load (18 ticks in 226 ms and a
    // 52 ms gap seen with eight test suites on two cores), not our code.
  });

  it('starts one worker per core, lazily', async () => {
    await closePowPool();
    expect(powPoolSize()).to.equal(0);
    await solveWorkParallel(rand(64), 4);
    expect(powPoolSize()).to.equal(availableParallelism());
  });

  it('finds the same salt as the sequential search', async () => {
    for (let i = 0; i < 5; i++) {
      const sig = rand(64);
      const want = solveWork(sig, 14)!;
      const got = await solveWorkParallel(sig, 14);
      expect(toHex(got.salt)).to.equal(toHex(want.salt));
      expect(toHex(got.work)).to.equal(toHex(workHash(got.salt, sig)));
    }
  });

  it('produces a difficulty-16 record that verifies with minWork 16', async () => {
    const time = Date.now();
    const dat = await createDat({ key: 'sixteen', value: 'bits', privateKey: seed, difficulty: 16, time });
    expect(leadingZeroBits(dat.work)).to.be.at.least(16);
    expect(() => verifyDat(dat, { minWork: 16, now: time })).not.to.throw();
  });

  it('runs several concurrent createDat calls to completion, each correct', async () => {
    const time = Date.now();
    const dats = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        createDat({ key: `c${i}`, value: `v${i}`, privateKey: seed, difficulty: 16 + (i % 3), time }),
      ),
    );
    dats.forEach((dat, i) => {
      expect(new TextDecoder().decode(dat.key)).to.equal(`c${i}`);
      expect(() => verifyDat(dat, { minWork: 16 + (i % 3), now: time })).not.to.throw();
      const seq = solveWork(dat.sig, 16 + (i % 3))!;
      expect(toHex(dat.salt)).to.equal(toHex(seq.salt));
    });
  });

  for (const how of ['a script file', 'node --input-type=module -e']) {
    it(`never keeps the process alive: ${how} that only creates a 16-bit record exits by itself, on workers`, async () => {
      const lib = (f: string) => JSON.stringify(fileURLToPath(new URL(`../../lib/${f}`, import.meta.url)));
      const script =
        `import { createDat } from ${lib('index.js')};` +
        `import { powPoolSize } from ${lib('workers/pow-pool.js')};` +
        `const d = await createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(32), difficulty: 16 });` +
        `console.log('work', d.work[0], d.work[1], 'workers', powPoolSize());`;
      let args = ['--input-type=module', '-e', script];
      if (how === 'a script file') {
        const dir = mkdtempSync(join(tmpdir(), 'dave-pow-'));
        writeFileSync(join(dir, 'only-create.mjs'), script);
        args = [join(dir, 'only-create.mjs')];
      }
      const started = Date.now();
      const out = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, args, { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
      expect(out.trim()).to.equal(`work 0 0 workers ${availableParallelism()}`);
      expect(Date.now() - started).to.be.below(15_000);
    });
  }

  it('finishes pending searches on the main thread when the pool closes under them', async () => {
    const sig = rand(64);
    const pending = solveWorkParallel(sig, 18);
    await closePowPool();
    await closePowPool(); // twice is safe
    const got = await pending;
    expect(toHex(got.salt)).to.equal(toHex(solveWork(sig, 18)!.salt));
  });
});
