/**
 * `dave devnet --nodes 3`, the real binary, its shell driven on stdin: a
 * record written on node 1 is read on node 3; quit stops every node.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from './helpers.js';
import { dave } from './dave-proc.js';

describe('cli/dave devnet', function () {
  this.timeout(60_000);
  after(cleanup);

  it('writes on node 1 and reads on node 3', async () => {
    const dir = join(tempDir(), 'net');
    const r = await dave(['devnet', '--nodes', '3', '--dir', dir], { input: 'put colour blue\nuse 3\nget me colour\nuse 7\npeers\nquit\n', timeoutMs: 50_000 });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('peers proven: 3 of 3 nodes ready');
    expect(r.stdout).to.match(/ok: colour written/);
    expect(r.stdout).to.include('now on node3');
    expect(r.stdout).to.match(/^blue$/m);
    expect(r.stdout).to.include('error: usage: use <n>, n from 1 to 3');
    expect(r.stdout).to.match(/127\.0\.0\.1:\d+ +[0-9a-f]{16} +edge +active/);
    for (const i of [1, 2, 3]) expect(existsSync(join(dir, `node-${i}`, 'node.key'))).to.equal(true);
  });

  it('refuses a bad node count with exit 2', async () => {
    const r = await dave(['devnet', '--nodes', '1']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^dave: --nodes 1/);
  });
});
