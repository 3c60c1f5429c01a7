/**
 * Seeded randomness for multi-node tests: one run seed (DAVE_TEST_SEED, or
 * a random one), a PRNG reseeded per test from the seed and the test's
 * title, and the seed printed when a test fails, so a failing run can be
 * replayed with DAVE_TEST_SEED=<seed>. (The nodes' own challenges and
 * salts stay on node:crypto: they are the node's, not the test's.)
 */
export const RUN_SEED: number = process.env.DAVE_TEST_SEED !== undefined ? Number(process.env.DAVE_TEST_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;

/** mulberry32: a small, fast 32-bit PRNG; returns numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(seed: number, text: string): number {
  let h = seed ^ 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

let current = prng(RUN_SEED);

/** The test PRNG's next number in [0, 1). */
export function random(): number {
  return current();
}

/** `n` bytes from the test PRNG. */
export function seededBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(current() * 256);
  return out;
}

/** Root hooks: reseed before each test from its title; print the seed after a failure. */
export function useSeededRandom(): void {
  if (typeof beforeEach !== 'function') return; // imported outside mocha (a child process)
  beforeEach(function () {
    current = prng(hash(RUN_SEED, this.currentTest?.fullTitle() ?? ''));
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      console.error(`      (replay with DAVE_TEST_SEED=${RUN_SEED}: "${this.currentTest.fullTitle()}")`);
    }
  });
}
