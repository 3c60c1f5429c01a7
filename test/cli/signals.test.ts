/**
 * Signals: `npm start` (the README's command) stops the node cleanly on
 * SIGTERM and SIGINT sent to npm, and exits 0: the start script execs node,
 * so the signal npm forwards reaches the node itself, not a shell that
 * leaves it running. The bin run directly is covered in dave.test.ts.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Store } from '../../lib/store/store.js';
import { cleanup, tempDir } from './helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..'); // dist/test/cli → the package

describe('cli: npm start and signals', function () {
  this.timeout(60_000);
  afterEach(cleanup);

  it('the start script execs node (no shell between npm and the node)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).to.match(/^exec node /);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm start: the node closes cleanly, exits 0, and leaves its database free`, async () => {
      const data = join(tempDir(), 'data');
      const npm = spawn('npm', ['start', '--silent', '--', '--no-shell', '--listen', '127.0.0.1:0', '--data', data], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      npm.stdout!.on('data', (d) => (out += d));
      npm.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
      const deadline = Date.now() + 30_000;
      while (!/ticket\s+\S+/.test(out)) {
        if (npm.exitCode !== null || Date.now() > deadline) {
          npm.kill('SIGKILL');
          throw new Error(`npm start did not come up: ${out}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      npm.kill(signal);
      const guard = setTimeout(() => npm.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(guard);
      expect(code, out).to.equal(0);
      expect(out).to.include('dave: closed');
      // no orphaned node holds the database: it opens here
      const store = await Store.open({ database: data });
      await store.close();
    });
  }
});
