/**
 * Imports in lib/ flow one way (docs/style: "nothing imports upward").
 * Layers, lowest first; a file may import its own folder and lower layers,
 * not a higher layer nor a sibling folder of its own layer:
 *
 *   constants.ts, errors.ts → wire/ → crypto/ → records/ → peers/, store/,
 *   workers/ → transport/ → node/ → api/, sim/ → cli/ → codec.ts, index.ts
 *
 * workers/ holds the thread pools (verify, proof of work) so that records/
 * and crypto/ stay pure.
 *
 * Imports are read from the TypeScript sources (static, type-only,
 * re-exports, dynamic import(), and worker scripts named with
 * `new URL(..., import.meta.url)`). Every layer named here exists; a file
 * outside every layer fails the test until it is placed.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = resolve(dirname(fileURLToPath(import.meta.url)), '../../lib'); // from dist/test

/** Rank of each unit (a root file or a top-level folder of lib/). */
const LAYERS: Record<string, number> = {
  'constants.ts': 0,
  'errors.ts': 0,
  wire: 1,
  crypto: 2,
  records: 3,
  peers: 4,
  store: 4,
  workers: 4,
  transport: 5,
  node: 6,
  api: 7,
  sim: 7,
  cli: 8,
  'codec.ts': 9,
  'index.ts': 10,
};
/** Units of one layer that may import each other. */
const SHARED_LAYER = new Set(['constants.ts', 'errors.ts']);

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative specifiers a source file depends on, comments stripped. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\bnew\s+URL\(\s*)['"]([^'"]+)['"]/g;
  return [...code.matchAll(re)].map((m) => m[1]!).filter((s) => s.startsWith('.'));
}

/** The layer unit of a path relative to lib/, e.g. "wire" or "index.ts"; null outside lib/. */
function unitOf(rel: string): string | null {
  if (rel.startsWith('..')) return null;
  return rel.split(sep)[0]!.replace(/\.js$/, '.ts');
}

/** The rule itself: why `from` may not import `to` (units), or null when it may. */
function violation(from: string, to: string | null): string | null {
  if (to === null) return 'imports from outside lib/';
  const a = LAYERS[from];
  const b = LAYERS[to];
  if (a === undefined) return `${from} is in no layer`;
  if (b === undefined) return `${to} is in no layer`;
  if (from === to) return null;
  if (b < a) return null;
  if (a === b && SHARED_LAYER.has(from) && SHARED_LAYER.has(to)) return null;
  return b > a ? `imports upward (${from} is layer ${a}, ${to} is layer ${b})` : `imports its sibling ${to}`;
}

describe('architecture', () => {
  it('flags upward and sibling imports (the checker itself)', () => {
    expect(violation('wire', 'records')).to.match(/upward/);
    expect(violation('store', 'peers')).to.match(/sibling/);
    expect(violation('crypto', 'node')).to.match(/upward/);
    expect(violation('records', 'workers')).to.match(/upward/);
    expect(violation('store', 'workers')).to.match(/sibling/);
    expect(violation('node', 'workers')).to.equal(null);
    expect(violation('constants.ts', 'index.ts')).to.match(/upward/);
    expect(violation('records', null)).to.match(/outside/);
    expect(violation('misc', 'wire')).to.match(/no layer/);
    expect(violation('node', 'store')).to.equal(null);
    expect(violation('index.ts', 'cli')).to.equal(null);
    expect(violation('errors.ts', 'constants.ts')).to.equal(null);
    expect(violation('wire', 'wire')).to.equal(null);
  });

  it('reads every kind of import and skips comments and packages', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export * from './c.js';",
      "import './d.js';",
      "const e = await import('./e.js');",
      "new Worker(new URL('./f.js', import.meta.url));",
      "import x from 'node:fs';",
      "// import { g } from './g.js';",
      "/* export { h } from './h.js'; */",
    ].join('\n');
    expect(importsOf(src)).to.deep.equal(['./a.js', '../b/b.js', './c.js', './d.js', './e.js', './f.js']);
  });

  it('lib/node/ is one folder per flow: every file sits in a flow folder, services/, or is one of the four root files', () => {
    const ROOT_FILES = new Set(['dave.ts', 'options.ts', 'parts.ts', 'bind.ts']);
    const FOLDERS = new Set(['services', 'peers', 'intake', 'reads', 'writes', 'replication', 'trust', 'views']);
    const misplaced = listTs(join(LIB, 'node'))
      .map((f) => relative(join(LIB, 'node'), f).split(sep))
      .filter((parts) => (parts.length === 1 ? !ROOT_FILES.has(parts[0]!) : parts.length !== 2 || !FOLDERS.has(parts[0]!)))
      .map((parts) => parts.join('/'));
    expect(misplaced, 'place it in a flow folder (or name a new flow here and in docs/node.md)').to.deep.equal([]);
  });

  it('in lib/node/, nothing imports the public API (dave.ts), and the dispatcher and the port know no flow', () => {
    const NODE = join(LIB, 'node');
    const FLOWS = ['peers', 'intake', 'reads', 'writes', 'replication', 'trust', 'views'];
    const problems: string[] = [];
    for (const file of listTs(NODE)) {
      const rel = relative(NODE, file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const target = relative(NODE, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
        if (target === 'dave.ts') problems.push(`node/${rel} imports the public API`);
        const flow = target.split(sep)[0]!;
        if (rel === join('services', 'dispatch.ts') && FLOWS.includes(flow)) problems.push(`node/${rel} knows the flow ${flow}/`);
        // the port names the intake and the frame sink (types) and opens sinks; no other flow
        if (rel === join('services', 'services.ts') && FLOWS.includes(flow) && !['intake', 'writes'].includes(flow)) problems.push(`node/${rel} knows the flow ${flow}/`);
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('records/ is pure: nothing it imports, however indirectly, starts a worker thread', () => {
    const seen = new Set<string>();
    const todo = listTs(join(LIB, 'records'));
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) todo.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
    }
    const reached = [...seen].map((f) => relative(LIB, f));
    expect(reached, 'the closure was walked').to.include(join('crypto', 'work.ts'));
    const threaded = [...seen].filter((f) => /worker_threads|new Worker\(/.test(readFileSync(f, 'utf8')));
    expect(threaded.map((f) => relative(LIB, f))).to.deep.equal([]);
  });

  it('names only real layers: every unit of LAYERS is in lib/, and every unit of lib/ is in LAYERS', () => {
    const units = readdirSync(LIB).filter((n) => statSync(join(LIB, n)).isDirectory() || (n.endsWith('.ts') && !n.endsWith('.d.ts')));
    expect(units.sort()).to.deep.equal(Object.keys(LAYERS).sort());
  });

  it('the dispatcher takes handlers by op (Dispatcher.on), with no switch over ops: a new message is a codec entry and a handler', () => {
    const code = readFileSync(join(LIB, 'node', 'services', 'dispatch.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    expect(code).to.match(/\bon<O extends Op>\(/);
    expect(code).to.not.match(/\bswitch\s*\(|\bOP\.|\bcase\s/);
    // and no flow switches on ops either: each registers for the ops it handles
    const switching = listTs(join(LIB, 'node')).filter((f) => /switch\s*\(\s*\w+\.op\b/.test(readFileSync(f, 'utf8')));
    expect(switching.map((f) => relative(LIB, f))).to.deep.equal([]);
  });

  it('every lib/ file imports only its own folder and lower layers', () => {
    expect(existsSync(join(LIB, 'constants.ts')), `lib/ sources at ${LIB}`).to.equal(true);
    const problems: string[] = [];
    let edges = 0;
    for (const file of listTs(LIB)) {
      const rel = relative(LIB, file);
      const from = unitOf(rel)!;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        edges++;
        const target = relative(LIB, resolve(dirname(file), spec));
        const why = violation(from, unitOf(target));
        if (why) problems.push(`lib/${rel} → ${spec}: ${why}`);
      }
    }
    expect(edges).to.be.greaterThan(20);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
