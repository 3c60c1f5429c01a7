/**
 * The README's "Installing it elsewhere", as a newcomer runs it: npm pack
 * in the clone, a new project (npm init -y, type module), npm install of
 * the tarball, then in that project `npx dave devnet` and the README's
 * library example (`node example.js EDGE`) against it, and `require` from
 * CommonJS. Dependencies come from the npm cache filled by `npm ci`
 * (--prefer-offline: no network unless the cache misses); the only
 * addresses used are loopback. Bounded in time throughout.
 */
import { expect } from 'chai';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // from dist/test/surface
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('install: the README steps in a new project', function () {
  this.timeout(240_000);
  let dir: string;
  let project: string;
  let devnet: ChildProcess | undefined;

  before(function () {
    if (!existsSync(join(ROOT, 'dist/lib/index.js'))) this.skip(); // built by npm test before mocha runs
    dir = mkdtempSync(join(tmpdir(), 'dave-install-'));
    project = join(dir, 'my-app');
    mkdirSync(project);
  });
  after(() => {
    devnet?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('npm pack, npm init -y, npm pkg set type=module, npm install <tarball>; then npx dave devnet and the example print hello', async () => {
    // the clone's npm pack (dist/ is built already: skip prepare's second build)
    await run(NPM, ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], { cwd: ROOT, timeout: 60_000 });
    const tarball = readdirSync(dir).find((f) => /^dave-kv-.*\.tgz$/.test(f));
    expect(tarball, 'npm pack wrote a tarball').to.be.a('string');
    // git ignores the tarball npm pack leaves in the clone
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8')).to.match(/^\/dave-kv-\*\.tgz$/m);

    await run(NPM, ['init', '-y'], { cwd: project, timeout: 30_000 });
    await run(NPM, ['pkg', 'set', 'type=module'], { cwd: project, timeout: 30_000 });
    const install = await run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, tarball!)], { cwd: project, timeout: 150_000 });
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).to.have.property('dave-kv');
    // the warning the README explains, when this npm prints it, names what the README says
    if (/allowScripts/.test(install.stderr)) expect(install.stderr).to.match(/classic-level/);

    // the README's example, as printed, saved as example.js
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = /```js\n(import \{ Dave, createDat \} from 'dave-kv';\n[\s\S]*?)```/.exec(readme)![1]!;
    writeFileSync(join(project, 'example.js'), example);

    // a devnet from the installed package (npx dave), in the project
    const dave = join(project, 'node_modules/.bin/dave');
    devnet = spawn(dave, ['devnet', '--nodes', '2', '--dir', join(dir, 'devnet')], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    devnet.stdout!.on('data', (d) => (out += d));
    devnet.stderr!.on('data', (d) => (out += d));
    const end = Date.now() + 60_000;
    let edge: string | undefined;
    while (!(edge = /join it from elsewhere: edge (\S+)/.exec(out)?.[1])) {
      if (Date.now() > end || devnet.exitCode !== null) throw new Error(`the devnet did not come up: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await run(process.execPath, ['example.js', edge], { cwd: project, timeout: 30_000 });
    expect(r.stdout).to.equal('hello\n');

    // CommonJS: require works too (Node >= 20.19 loads the ES module)
    writeFileSync(join(project, 'check.cjs'), "const { Dave, createDat } = require('dave-kv'); console.log(typeof Dave.open, typeof createDat);\n");
    const cjs = await run(process.execPath, ['check.cjs'], { cwd: project, timeout: 30_000 });
    expect(cjs.stdout).to.equal('function function\n');

    devnet.stdin!.end('quit\n');
    const code = await new Promise<number | null>((res) => {
      const t = setTimeout(() => res(null), 15_000);
      devnet!.once('exit', (c) => (clearTimeout(t), res(c)));
      if (devnet!.exitCode !== null) res(devnet!.exitCode);
    });
    expect(code, out).to.equal(0);
  });
});
