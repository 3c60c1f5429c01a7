/**
 * "Ready" means ready: waitForActivePeers resolves once a peer will answer
 * our reads (both sides authenticated), so the README's example works on
 * its first run; it rejects with ERR_CLOSED when the node closes.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it("runs the README's example as written (loopback, a second node as edge), first time, with default timings", async () => {
    const edge = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
    open.push(edge);
    const dir = mkdtempSync(join(tmpdir(), 'dave-readme-'));
    dirs.push(dir);
    // the README's own text: only the addresses and the directory change
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const block = /```js\n(import \{ Dave, createDat \} from 'dave-kv';\n[\s\S]*?)```/.exec(readme);
    expect(block, 'the example in README.md').to.not.equal(null);
    const code = block![1]!
      .replace("'0.0.0.0:1618'", "'127.0.0.1:0'")
      .replace("'203.0.113.7:1618'", `'${edge.address()}'`)
      .replace("'./dave-data'", JSON.stringify(join(dir, 'dave-data')));
    expect(code).to.include(edge.address());
    // inside the package, so that 'dave-kv' resolves to this package
    const file = fileURLToPath(new URL(`./readme-example-${process.pid}.mjs`, import.meta.url));
    writeFileSync(file, code);
    try {
      const started = Date.now();
      const { stdout } = await run(process.execPath, [file], { timeout: 15_000 });
      expect(stdout).to.equal('hello\n');
      // a read that had to wait for a timeout would take 5 s
      expect(Date.now() - started).to.be.lessThan(5_000);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('after waitForActivePeers(1), the first get of a record only the edge holds succeeds', async () => {
    const edgeKey = crypto.getRandomValues(new Uint8Array(32));
    const edgeStore = await Store.open({ nodeId: nodeId(publicKeyFromSeed(edgeKey)), sync: false });
    const owner = crypto.getRandomValues(new Uint8Array(32));
    const dat = await createDat({ key: 'only-on-the-edge', value: 'there', privateKey: owner });
    await edgeStore.put({ dat, replicas: [0n, 0n, 0n, 0n, 0n] });
    const edge = await Dave.open({ listen: '127.0.0.1:0', privateKey: edgeKey, store: edgeStore, verifyWorkers: 0 });
    open.push(edge);
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
