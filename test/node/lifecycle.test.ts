/**
 * close() leaves no handles: a child process that opens, uses and closes
 * nodes exits by itself (no timer, socket, worker or database left open).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

describe('node: lifecycle', function () {
  this.timeout(30_000);
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'dave-node-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('close() stops every timer, socket and worker: the process exits by itself', async () => {
    const child = spawn(process.execPath, [join(here, 'support/lifecycle-child.js'), join(dir, 'db')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('did not exit within 20 s');
      }, 20_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c ?? -1);
      });
    });
    expect(code, err).to.equal(0);
    expect(out.trim()).to.equal('closed ERR_CLOSED');
  });
});
