/**
 * The small things a newcomer met (#22, item 9) that are documented
 * rather than changed: each checked against the README's words and the
 * behaviour they describe (sim.holders is a Promise; --api-token's
 * 16-character minimum; dave start exits 0 on SIGINT, and so does npm
 * start once its script execs node; until then the README says npm's 130).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Simulation } from '../../lib/sim/index.js';
import { cleanup, tempDir } from '../cli/helpers.js';
import { dave, killAll, startNode, stopNode } from '../cli/dave-proc.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)); // from dist/test/surface
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README: the small things', function () {
  this.timeout(30_000);
  after(() => {
    killAll();
    cleanup();
  });

  it('sim.holders(dat) returns a Promise, as the README says', async () => {
    expect(README).to.include('`holders(dat)` (a `Promise` of the nodes whose store holds the record');
    const sim = new Simulation({ seed: 3 });
    try {
      await sim.addNode();
      const dat = await sim.record(new Uint8Array(32).fill(1), 'k', 'v');
      const h = sim.holders(dat);
      expect(h).to.be.instanceOf(Promise);
      expect(await h).to.deep.equal([]);
    } finally {
      await sim.close();
    }
  });

  it('--api-token needs 16 characters, as the README and dave start --help say', async () => {
    expect(README).to.match(/`--api-token-file` \| `DIR\/api\.token` \| read the API's bearer token, 16 to 200 characters/);
    const short = await dave(['start', '--api', '127.0.0.1:0', '--api-token', 'x'.repeat(15), '--data', join(tempDir(), 'd')]);
    expect(short.code).to.equal(2);
    expect(short.stderr).to.match(/--api-token: the token must be 16 to 200 characters/);
    expect((await dave(['start', '--help'])).stdout).to.include('16 to 200 characters');
  });

  it('dave start exits 0 on SIGINT, as the README says', async () => {
    expect(README).to.include('closes the store and exits 0');
    const n = await startNode(['--listen', '127.0.0.1:0', '--data', join(tempDir(), 'd')]);
    expect(await stopNode(n, 'SIGINT')).to.equal(0);
  });

  it('npm start and Ctrl-C (SIGINT to the whole process group, as a terminal sends it) exit 0, as the README says', async function () {
    const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
    // without exec the shell between npm and node dies of the SIGINT and npm says 130, which the
    // README says; the data-safety change (#17) makes the script exec node: then the README must
    // say npm start exits 0, and this runs it
    if (!script.startsWith('exec ')) {
      expect(README).to.include("Under `npm start` the status the shell sees after Ctrl-C is npm's");
      return this.skip();
    }
    expect(README).to.include('`npm start` exits with the node\'s status, 0 after Ctrl-C');
    const npm = spawn('npm', ['start', '--', '--listen', '127.0.0.1:0', '--data', join(tempDir(), 'd'), '--no-shell', '--log-level', 'warn'], {
      cwd: ROOT,
      detached: true, // its own process group, which gets the SIGINT
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
    try {
      const end = Date.now() + 30_000;
      while (!/\n {2}ticket {6}\S+\n/.test(out)) {
        if (Date.now() > end || npm.exitCode !== null) throw new Error(`npm start did not come up: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      process.kill(-npm.pid!, 'SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
});
