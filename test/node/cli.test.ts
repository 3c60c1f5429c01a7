/** `dave`, the command that runs a node: starts, persists its key 0600, stops cleanly on SIGTERM. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../lib/cli/dave.js');

function runUntilListening(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dave did not start or stop in time: ${err}`));
    }, 15_000);
    child.stderr.on('data', (d) => {
      err += d;
      if (/listening on/.test(err) && !child.killed) child.kill('SIGTERM');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

describe('cli: dave', function () {
  this.timeout(30_000);
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'dave-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a node, keeps its key (0600) across runs, and closes on SIGTERM', async () => {
    const db = join(dir, 'data');
    const first = await runUntilListening(['--listen', '127.0.0.1:0', '--db', db]);
    expect(first.code, first.err).to.equal(0);
    expect(first.err).to.match(/SIGTERM, closing/);
    const keyFile = join(db, 'node.key');
    expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
    const key = readFileSync(keyFile, 'utf8');
    const second = await runUntilListening(['--listen', '127.0.0.1:0', '--db', db]);
    expect(second.code, second.err).to.equal(0);
    expect(readFileSync(keyFile, 'utf8')).to.equal(key);
    const pub = /public key ([0-9a-f]{64})/;
    expect(second.err.match(pub)?.[1]).to.equal(first.err.match(pub)?.[1]);
  });

  it('prints usage for --help and refuses unknown options', async () => {
    const help = spawn(process.execPath, [bin, '--help']);
    let out = '';
    help.stdout.on('data', (d) => (out += d));
    expect(await new Promise((r) => help.once('exit', r))).to.equal(0);
    expect(out).to.match(/^usage: dave/);
    const bad = spawn(process.execPath, [bin, '--nope'], { stdio: 'ignore' });
    expect(await new Promise((r) => bad.once('exit', r))).to.equal(2);
  });
});
