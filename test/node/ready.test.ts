/**
 * "Ready" means ready: waitForActivePeers resolves once a peer will answer
 * our reads (both sides authenticated), so the README's example works on
 * its first run; it rejects with ERR_CLOSED when the node closes.
 */
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dave, createDat } from '../../lib/index.js';
import { nodeId } from '../../lib/records/record.js';
import { publicKeyFromSeed } from '../../lib/crypto/ed25519.js';
import { Store } from '../../lib/store/store.js';
import { isDaveError } from '../../lib/errors.js';

const run = promisify(execFile);

/** Settles `p` or fails after `ms`: a hang is a failure, not a stuck suite. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe('node: ready', function () {
  this.timeout(30_000);
  const open: Dave[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((n) => n.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** The README's library example, exactly as printed. */
  function readmeExample(): string {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const block = /```js\n(import \{ Dave, createDat \} from 'dave-kv';\n[\s\S]*?)```/.exec(readme);
    expect(block, 'the example in README.md').to.not.equal(null);
    return block![1]!;
  }

  /** Runs the example as `node example.js EDGE`, inside the package so that 'dave-kv' resolves to it. */
  async function runExample(edge: string, timeout = 20_000): Promise<{ stdout: string; stderr: string; code: number; ms: number }> {
    const file = fileURLToPath(new URL(`./readme-example-${process.pid}.mjs`, import.meta.url));
    writeFileSync(file, readmeExample());
    const started = Date.now();
    try {
      const { stdout, stderr } = await run(process.execPath, [file, edge], { timeout });
      return { stdout, stderr, code: 0, ms: Date.now() - started };
    } catch (err) {
      const e = err as { stdout: string; stderr: string; code: number };
      return { stdout: e.stdout, stderr: e.stderr, code: e.code, ms: Date.now() - started };
    } finally {
      rmSync(file, { force: true });
    }
  }

  it("runs the README's example as written against a running node (its address as the argument), first time, with default timings", async () => {
    const edge = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
    open.push(edge);
    const r = await runExample(edge.address());
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('hello\n');
    // a read that had to wait for a timeout would take 5 s
    expect(r.ms).to.be.lessThan(5_000);
  });

  it("the README's example cannot hang: with nobody at the edge it fails with ERR_TIMEOUT naming the edge, and warns on stderr", async () => {
    const dead = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
    const address = dead.address();
    await dead.close();
    const r = await runExample(address, 30_000);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.include(`ERR_TIMEOUT`);
    expect(r.stderr).to.include(`0 of 1 peer ready after 10000 ms: edge ${address} never answered`);
    expect(r.stderr).to.include(`dave: edge ${address} has not answered for 3 s`); // the default logger's warning
    expect(r.ms).to.be.within(9_000, 25_000);
  });

  /** An edge node whose store alone holds the record `key` = `value` (pushed to `open`). */
  async function edgeHolding(key: string, value: string) {
    const edgeKey = crypto.getRandomValues(new Uint8Array(32));
    const edgeStore = await Store.open({ nodeId: nodeId(publicKeyFromSeed(edgeKey)), sync: false });
    const owner = crypto.getRandomValues(new Uint8Array(32));
    const dat = await createDat({ key, value, privateKey: owner });
    await edgeStore.put({ dat, replicas: [0n, 0n, 0n, 0n, 0n] });
    const edge = await Dave.open({ listen: '127.0.0.1:0', privateKey: edgeKey, store: edgeStore, verifyWorkers: 0 });
    open.push(edge);
    return { edge, edgeStore, dat };
  }

  it('after waitForActivePeers(1), the first get of a record only the edge holds succeeds', async () => {
    const { edge, edgeStore, dat } = await edgeHolding('only-on-the-edge', 'there');
    try {
      const node = await Dave.open({ listen: '127.0.0.1:0', edges: [edge.address()], verifyWorkers: 0 });
      open.push(node);
      await within(node.waitForActivePeers(1), 5_000, 'waitForActivePeers');
      // the edge has proved us by now: it answers the first GET
      const entry = await node.get(dat.pubKey, 'only-on-the-edge', { timeoutMs: 2_000 });
      expect(new TextDecoder().decode(entry.dat.value)).to.equal('there');
    } finally {
      await Promise.all(open.splice(0).map((n) => n.close()));
      await edgeStore.close();
    }
  });

  it('a newcomer reads from its edge as soon as it sees the edge active: the edge challenges it at once, no wait for its PING period', async () => {
    const { edge, edgeStore, dat } = await edgeHolding('first-read', 'at once');
    try {
      const node = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
      open.push(node);
      node.addEdge(edge.address());
      // what a first-time user sees: the edge active, nothing about whether the edge has proved us yet
      const end = Date.now() + 5_000;
      while (node.activePeerCount() < 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      expect(node.activePeerCount()).to.equal(1);
      const started = Date.now();
      const entry = await node.get(dat.pubKey, 'first-read', { timeoutMs: 2_000 });
      expect(new TextDecoder().decode(entry.dat.value)).to.equal('at once');
      expect(Date.now() - started).to.be.below(1_000);
    } finally {
      await Promise.all(open.splice(0).map((n) => n.close()));
      await edgeStore.close();
    }
  });

  it('waitForActivePeers rejects with ERR_CLOSED when the node closes', async () => {
    const node = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
    const waiting = node.waitForActivePeers(3).then(
      () => undefined,
      (e: unknown) => e,
    );
    await node.close();
    const err = await within(waiting, 2_000, 'waitForActivePeers after close');
    expect(isDaveError(err, 'ERR_CLOSED'), String(err)).to.equal(true);
    // and one asked after close
    const late = await node.waitForActivePeers(1).catch((e: unknown) => e);
    expect(isDaveError(late, 'ERR_CLOSED'), String(late)).to.equal(true);
  });

  it('every other wait settles when the node closes: a pending get, a batch writer, a replication pass', async () => {
    const edge = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
    open.push(edge);
    const node = await Dave.open({ listen: '127.0.0.1:0', edges: [edge.address()], verifyWorkers: 0 });
    await within(node.waitForActivePeers(1), 5_000, 'waitForActivePeers');
    const owner = crypto.getRandomValues(new Uint8Array(32));
    const dat = await createDat({ key: 'k', value: 'v', privateKey: owner });
    // the edge goes away but stays active in our table for a few seconds:
    // the read gets no answer and would wait for its 20 s timeout
    await edge.close();
    const reading = node.get(dat.pubKey, 'never', { timeoutMs: 20_000 }).then(() => undefined, (e: unknown) => e);
    const writer = node.batchWriter(dat.pubKey);
    await writer.write(dat);
    const writing = writer.close().then(() => undefined, (e: unknown) => e);
    const replicating = node.replicate();
    await node.close();
    const readErr = await within(reading, 3_000, 'get after close');
    // settled at close, not at the timeout (the code of a read ended by close may become its own)
    expect(isDaveError(readErr, 'ERR_ABORTED') || isDaveError(readErr, 'ERR_CLOSED'), String(readErr)).to.equal(true);
    await within(writing, 5_000, 'batch writer close after node close');
    expect(await within(replicating, 3_000, 'replicate after close')).to.be.a('number');
  });
});
