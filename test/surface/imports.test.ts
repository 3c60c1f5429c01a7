/**
 * The package's entry points: what importing each one loads, that it
 * leaves other libraries' settings alone, and that the documented import
 * paths resolve (a child process per case: module caches are per process).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..'); // from dist/test/surface
const HOOK = join(ROOT, 'test/support/record-imports.mjs');

/** Runs an ES module snippet in a child process from the package root; returns its stdout and the URLs it resolved. */
async function run(code: string): Promise<{ out: string; loaded: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dave-imports-'));
  const log = join(dir, 'imports.log');
  try {
    const out = await new Promise<string>((res, rej) => {
      execFile(
        process.execPath,
        ['--import', HOOK, '--input-type=module', '-e', code],
        { cwd: ROOT, env: { ...process.env, DAVE_IMPORT_LOG: log }, timeout: 30_000 },
        (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)),
      );
    });
    let loaded: string[] = [];
    try {
      loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    } catch {
      // nothing resolved
    }
    return { out, loaded };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('package entry points', function () {
  this.timeout(60_000);

  it('dave-kv/codec loads no database, no WebAssembly, no worker pool and no noble', async () => {
    const { out, loaded } = await run(
      "import * as c from 'dave-kv/codec'; const b = c.encodeMessage({ op: c.OP.GETMYADDRPORT }); console.log(c.decodeMessage(b).op);",
    );
    expect(out.trim()).to.equal('6');
    expect(loaded.some((u) => u.endsWith('/dist/lib/codec.js')), 'the hook saw the codec').to.equal(true);
    for (const heavy of ['classic-level', 'memory-level', 'abstract-level', 'hash-wasm', 'xxhash-wasm', '@noble', 'sodium-native', '/crypto/', '/store/', '/node/']) {
      expect(loaded.filter((u) => u.includes(heavy)), heavy).to.deep.equal([]);
    }
  });

  it('dave-kv loads classic-level (LevelDB\'s native binding) only when a node opens a directory', async () => {
    const { out, loaded } = await run(
      "import { Dave } from 'dave-kv'; const a = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 }); await a.close(); console.log('memory');",
    );
    expect(out.trim()).to.equal('memory');
    expect(loaded.filter((u) => u.includes('classic-level')), 'a node on memory-level').to.deep.equal([]);
    const dir = mkdtempSync(join(tmpdir(), 'dave-lazy-'));
    try {
      const withDir = await run(
        `import { Dave } from 'dave-kv'; const a = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0, database: ${JSON.stringify(join(dir, 'db'))} }); await a.close(); console.log('disk');`,
      );
      expect(withDir.out.trim()).to.equal('disk');
      expect(withDir.loaded.some((u) => u.includes('classic-level')), 'a node on a directory').to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dave-kv loads no WebAssembly until a hash is needed; after ready() hashes run on it, with the same results', async () => {
    const { out, loaded } = await run(
      [
        "import { readFileSync } from 'node:fs';",
        'const calls = [];',
        "for (const f of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) {",
        '  const orig = WebAssembly[f];',
        '  WebAssembly[f] = function (...a) { calls.push(f); return orig.apply(this, a); };',
        '}',
        "WebAssembly.Module = new Proxy(WebAssembly.Module, { construct(t, a) { calls.push('Module'); return Reflect.construct(t, a); } });",
        "const wasmUrls = () => readFileSync(process.env.DAVE_IMPORT_LOG, 'utf8').split('\\n').filter((u) => /hash-wasm|xxhash-wasm/.test(u)).length;",
        "const d = await import('dave-kv');",
        'await new Promise((r) => setTimeout(r, 100));', // anything started at import would have begun by now
        'const atImport = { calls: calls.length, modules: wasmUrls() };',
        "const hex = (b) => Buffer.from(b).toString('hex');",
        'const pk = new Uint8Array(32).fill(7);',
        "const kv = () => [String(d.storeKey(pk, 'k')), hex(d.datSigningHash(new Uint8Array(3), new Uint8Array(1300), 5))];",
        'const before = kv();', // plain JavaScript; the first hash starts the load
        'await d.ready();',
        'const afterReady = { calls: calls.length, modules: wasmUrls() };',
        'const after = kv();',
        "const dat = await d.createDat({ key: 'k', value: 'v', privateKey: new Uint8Array(32).fill(1) });",
        'd.verifyDat(dat);',
        'console.log(JSON.stringify({ atImport, afterReady, same: before.join() === after.join() }));',
      ].join('\n'),
    );
    const r = JSON.parse(out.trim());
    expect(r.atImport, 'importing dave-kv instantiates and resolves no WASM module').to.deep.equal({ calls: 0, modules: 0 });
    expect(r.afterReady.calls, 'ready() compiles or instantiates both').to.be.at.least(2);
    expect(r.afterReady.modules, 'hash-wasm and xxhash-wasm resolved by then').to.be.at.least(2);
    expect(r.same, 'the JavaScript and the WASM hashes agree').to.equal(true);
    expect(loaded.some((u) => u.includes('/hash-wasm/')) && loaded.some((u) => u.includes('/xxhash-wasm/'))).to.equal(true);
  });

  it('dave-kv/sim resolves from the package and runs two nodes on virtual time', async () => {
    const { out } = await run(
      "import { Simulation } from 'dave-kv/sim'; const s = new Simulation({ seed: 1 }); const a = await s.addNode(); const b = await s.addNode(); await s.run(10_000); console.log(a.dave.activePeerCount(), b.dave.activePeerCount(), s.elapsed); await s.close();",
    );
    expect(out.trim()).to.equal('1 1 10000');
  });

  it('dave-kv exports everything dave-kv/codec does, and not the unused PROBE', async () => {
    const main = await import('../../lib/index.js');
    const codec = await import('../../lib/codec.js');
    for (const name of Object.keys(codec)) expect(main, name).to.have.property(name, (codec as Record<string, unknown>)[name]);
    expect(main).to.not.have.property('PROBE');
    expect(main).to.have.property('FANOUT', 5);
  });

  it('importing dave-kv leaves @noble/ed25519 settings as the application set them', async () => {
    const { out } = await run(
      "import * as ed from '@noble/ed25519'; const mine = () => new Uint8Array(64); ed.hashes.sha512 = mine; const d = await import('dave-kv'); d.signingKey(new Uint8Array(32)); console.log(ed.hashes.sha512 === mine);",
    );
    expect(out.trim()).to.equal('true');
  });

  it('dave-kv/storage-adapters and its two subpaths resolve; memory-level alone loads no LevelDB', async () => {
    const all = await run(
      "import { createClassicLevel, createMemoryLevel } from 'dave-kv/storage-adapters'; console.log(typeof createClassicLevel, typeof createMemoryLevel);",
    );
    expect(all.out.trim()).to.equal('function function');
    const mem = await run(
      "import { createMemoryLevel } from 'dave-kv/storage-adapters/memory-level'; const db = createMemoryLevel(); await db.open(); await db.put(new Uint8Array([1]), new Uint8Array([2])); console.log((await db.get(new Uint8Array([1])))[0]);",
    );
    expect(mem.out.trim()).to.equal('2');
    expect(mem.loaded.filter((u) => u.includes('classic-level'))).to.deep.equal([]);
  });
});
