/**
 * Crash recovery on classic-level: a child process writes through the store
 * and prints each acknowledged write; the parent kills it with SIGKILL at
 * random moments (or stops it cleanly), reopens the directory and checks
 * that the database holds exactly the state after some prefix of the write
 * sequence (batches applied whole and in order) that includes every
 * acknowledged write. One directory across all rounds: restarts in a row.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDaveError } from '../../lib/errors.js';
import { Store } from '../../lib/store/store.js';
import type { Entry } from '../../lib/wire/entry.js';
import { CRASH_OPTIONS, opEntry, opOf } from './fixtures/sequence.js';

const WRITER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/writer.js');

/** Seeded PRNG (mulberry32), so a failing round can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Child {
  proc: ChildProcess;
  /** Highest op acknowledged (-1: none), and lines seen. */
  acked: number;
  lines: string[];
  opened: Promise<void>;
  firstAck: Promise<void>;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

function startWriter(cfg: object): Child {
  const proc = spawn(process.execPath, [WRITER, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = { proc, acked: -1, lines: [] as string[] } as Child;
  let onOpen!: () => void;
  let onAck!: () => void;
  c.opened = new Promise((r) => (onOpen = r));
  c.firstAck = new Promise((r) => (onAck = r));
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      c.lines.push(line);
      const [word, n] = line.split(' ');
      if (word === 'open') onOpen();
      if (word === 'ack') {
        c.acked = Math.max(c.acked, Number(n));
        onAck();
      }
    }
  });
  children.add(proc);
  c.exited = new Promise((r) =>
    proc.on('exit', (code) => {
      children.delete(proc);
      onOpen(); // never leave a waiter hanging on a dead child
      onAck();
      r(code);
    }),
  );
  return c;
}

/** The parent's model: the sequence replayed into an in-memory store. */
class Model {
  applied = 0;
  private constructor(readonly store: Store) {}
  static async create(): Promise<Model> {
    return new Model(await Store.open({ ...CRASH_OPTIONS }));
  }
  async advanceTo(n: number): Promise<void> {
    for (; this.applied < n; this.applied++) await this.store.put(opEntry(this.applied)).catch(() => {});
  }
}

async function listAll(store: Store): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of store.entries()) out.push(e);
  return out;
}

/**
 * Opens `dir`, and checks it holds the model's state after a prefix of the
 * sequence covering every acknowledged op. Returns the prefix length.
 */
async function verify(dir: string, model: Model, acked: number, minPrefix = 0): Promise<number> {
  const store = await Store.open({ ...CRASH_OPTIONS, database: dir });
  try {
    expect(store.openReport.corrupt, 'corrupt records').to.equal(0);
    const found = await listAll(store);
    const prefix = found.reduce((m, e) => Math.max(m, opOf(e) + 1), 0);
    expect(prefix, 'every acknowledged write is present').to.be.greaterThan(Math.max(acked, minPrefix - 1));
    await model.advanceTo(prefix);
    const expected = await listAll(model.store);
    expect(found.length).to.equal(expected.length);
    expect(found.map(opOf), 'state equals the state after a prefix of the writes').to.deep.equal(expected.map(opOf));
    expect(found).to.deep.equal(expected);
    expect(store.count()).to.equal(model.store.count());
    expect(store.usedSpace()).to.equal(model.store.usedSpace());
    return prefix;
  } finally {
    await store.close();
  }
}

describe('store/crash recovery (classic-level, child process, SIGKILL)', function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'dave-crash-'));
  });
  afterEach(() => {
    for (const p of children) p.kill('SIGKILL');
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps every acknowledged write over 24 SIGKILLs and 4 clean restarts in a row', async () => {
    const seed = Number(process.env.DAVE_CRASH_SEED ?? Date.now() % 1e9);
    const rand = prng(seed);
    const dir = join(root, 'db');
    const model = await Model.create();
    let next = 0;
    let kills = 0;
    try {
      for (let round = 0; round < 28; round++) {
        const clean = round % 7 === 6;
        const sync = round % 2 === 0;
        const child = startWriter({ dir, start: next, sync, window: 1 + Math.floor(rand() * 128) });
        await child.opened;
        await child.firstAck;
        await new Promise((r) => setTimeout(r, rand() * 150));
        if (clean) child.proc.stdin!.end('stop\n');
        else {
          child.proc.kill('SIGKILL');
          kills++;
        }
        const code = await child.exited;
        if (clean) expect(code, 'clean exit').to.equal(0);
        expect(child.acked, `round ${round} (seed ${seed}) acknowledged something`).to.be.at.least(next);
        next = await verify(dir, model, child.acked, next);
      }
      expect(kills).to.be.at.least(20);
    } catch (err) {
      (err as Error).message += ` (DAVE_CRASH_SEED=${seed})`;
      throw err;
    } finally {
      await model.store.close();
    }
  });

  it('opens cleanly after the newest log file is cut short (torn tail)', async () => {
    const dir = join(root, 'torn');
    const model = await Model.create();
    try {
      const child = startWriter({ dir, start: 0, sync: false, window: 32 });
      await child.opened;
      let dead = false;
      void child.exited.then(() => (dead = true));
      while (child.acked < 3000 && !dead) await new Promise((r) => setTimeout(r, 10));
      child.proc.kill('SIGKILL');
      await child.exited;
      const logs = readdirSync(dir)
        .filter((f) => f.endsWith('.log') && f !== 'LOG')
        .sort();
      const newest = join(dir, logs[logs.length - 1]!);
      const size = statSync(newest).size;
      expect(size).to.be.greaterThan(10_000);
      truncateSync(newest, Math.floor(size * 0.6) + 7); // mid-record
      // Acknowledged writes in the cut part are gone (that is the point), but the
      // database opens, and what remains is a whole prefix of the writes.
      const prefix = await verify(dir, model, -1);
      expect(prefix).to.be.greaterThan(0);
      expect(prefix).to.be.lessThan(child.acked);
    } finally {
      await model.store.close();
    }
  });

  it('refuses a directory another process has open with ERR_DATABASE_IN_USE naming it', async () => {
    const dir = join(root, 'locked');
    const child = startWriter({ dir, start: 0, sync: false, window: 1, hold: true });
    await child.opened;
    try {
      await Store.open({ database: dir });
      expect.fail('opened a locked directory');
    } catch (err) {
      expect(isDaveError(err, 'ERR_DATABASE_IN_USE'), String(err)).to.equal(true);
      expect((err as Error).message).to.include(dir);
      expect(((err as Error).cause as { code?: string }).code).to.equal('LEVEL_DATABASE_NOT_OPEN');
    } finally {
      child.proc.stdin!.end('stop\n');
      await child.exited;
    }
    const store = await Store.open({ database: dir }); // free again
    await store.close();
  });
});
