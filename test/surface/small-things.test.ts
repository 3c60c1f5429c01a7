/**
 * The small things a newcomer met (#22, item 9) that are documented
 * rather than changed: each checked against the README's words and the
 * behaviour they describe (sim.holders is a Promise; --api-token's
 * 16-character minimum; dave start exits 0 on SIGINT, which npm start
 * reports as npm's own status).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Simulation } from '../../lib/sim/index.js';
import { cleanup, tempDir } from '../cli/helpers.js';
import { dave, killAll, startNode, stopNode } from '../cli/dave-proc.js';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

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
    expect(README).to.match(/`--api-token` \| `DIR\/api\.token` \| the API's bearer token, 16 to 200 characters/);
    const short = await dave(['start', '--api', '127.0.0.1:0', '--api-token', 'x'.repeat(15), '--data', join(tempDir(), 'd')]);
    expect(short.code).to.equal(2);
    expect(short.stderr).to.match(/--api-token must be 16 to 200 characters/);
    expect((await dave(['start', '--help'])).stdout).to.include('16 to 200 characters');
  });

  it('dave start exits 0 on SIGINT (and the README says npm start shows npm\'s status instead)', async () => {
    expect(README).to.include('closes the store and exits 0');
    expect(README).to.include("Under `npm start` the status the shell sees after Ctrl-C is npm's");
    const n = await startNode(['--listen', '127.0.0.1:0', '--data', join(tempDir(), 'd')]);
    expect(await stopNode(n, 'SIGINT')).to.equal(0);
  });
});
