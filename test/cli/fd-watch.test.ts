/**
 * cli/fd-watch.ts: a node out of file descriptors says so. Unit tests of
 * the parsing and the episode logic, then the attack on the real binary:
 * under `ulimit -n 70`, a local client holds every API connection it can;
 * the node warns at start (limit below what its caps use), warns when
 * descriptors run out, stays up, says when they are back, and writes again.
 */
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { FDS_NEEDED, fdLimit, limitWarning, watchFds } from '../../lib/cli/fd-watch.js';
import { dave, killAll, startNode, stopNode } from './dave-proc.js';
import { cleanup, tempDir } from './helpers.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('cli/fd-watch', function () {
  this.timeout(60_000);
  after(() => {
    killAll();
    cleanup();
  });

  it('reads the soft limit from /proc/self/limits text; unknown is null', () => {
    expect(fdLimit(LIMITS)).to.equal(1024);
    expect(fdLimit(LIMITS.replace('1024   ', 'unlimited'))).to.equal(Infinity);
    expect(fdLimit('nothing here')).to.equal(null);
    if (process.platform === 'linux') expect(fdLimit()).to.be.a('number').greaterThan(0);
  });

  it('warns at start only below what the caps use', () => {
    expect(limitWarning(FDS_NEEDED)).to.equal(null);
    expect(limitWarning(null)).to.equal(null);
    expect(limitWarning(100)).to.match(/open-file limit is 100.*ulimit -n 4096/);
  });

  it('logs one warning per episode of running out and one line when it is over', async () => {
    const lines: string[] = [];
    const counts: (number | 'exhausted')[] = [10, 95, 99, 'exhausted', 80, 70, 100, 20];
    const stop = watchFds({ warn: (m) => lines.push(`warn ${m}`), info: (m) => lines.push(`info ${m}`) }, { limit: 100, everyMs: 5, count: () => counts.shift() ?? 20 });
    await new Promise((r) => setTimeout(r, 120));
    stop();
    expect(lines.map((l) => l.replace(/ in use: .*/, ' in use'))).to.deep.equal([
      'warn dave: 95 of 100 file descriptors in use',
      'info dave: file descriptors back to 70 of 100',
      'warn dave: 100 of 100 file descriptors in use',
      'info dave: file descriptors back to 20 of 100',
    ]);
  });

  it('a node out of descriptors warns, stays up, says when they are back, and writes again', async function () {
    if (process.platform !== 'linux') return this.skip(); // /proc is Linux's; elsewhere the watch does nothing
    const data = join(tempDir(), 'n');
    const n = await startNode(['--listen', '127.0.0.1:0', '--data', data, '--api', '127.0.0.1:0'], 20_000, { openFiles: 70 });
    expect(n.stderr()).to.match(/open-file limit is 70, below the 512/);
    const port = Number(new URL(n.api!).port);
    const held: Socket[] = [];
    for (let i = 0; i < 150; i++) {
      const s = await new Promise<Socket>((resolve) => {
        const c = connect({ host: '127.0.0.1', port }, () => resolve(c));
        c.on('error', () => resolve(c));
      });
      s.on('error', () => {});
      held.push(s);
    }
    const deadline = Date.now() + 15_000;
    while (!/file descriptors in use/.test(n.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(n.stderr()).to.match(/"level":40,.*(\d+ of 70|all 70) file descriptors in use: new connections are being dropped/);
    expect(n.proc.exitCode, 'still running').to.equal(null);
    for (const s of held) s.destroy();
    while (!/file descriptors back to/.test(n.stderr()) && Date.now() < deadline + 15_000) await new Promise((r) => setTimeout(r, 100));
    expect(n.stderr()).to.match(/file descriptors back to \d+ of 70/);
    const put = await dave(['put', 'after', 'the flood', '--data', data]);
    expect(put.code, put.stderr).to.equal(0);
    const got = await dave(['get', 'me', 'after', '--data', data]);
    expect(got.stdout).to.include('the flood');
    expect(await stopNode(n)).to.equal(0);
  });
});
