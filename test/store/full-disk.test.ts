/**
 * A real full disk: a node's database on a 2 MiB tmpfs (mounted by the
 * test, as root), filled until LevelDB refuses writes, then grown in place
 * to 16 MiB. The node logs one error line with the cause and what to do,
 * refuses writes with ERR_STORAGE_UNAVAILABLE while full, keeps answering
 * reads, recovers by itself (one line), and after a restart holds every
 * acknowledged record. Skipped, with one line, where mounting is not
 * permitted.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dave } from '../../lib/node/dave.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { isDaveError } from '../../lib/errors.js';
import type { Dat } from '../../lib/wire/dat.js';
import type { Logger } from '../../lib/node/options.js';

function mount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('store on a real full disk (tmpfs)', function () {
  this.timeout(120_000);
  let dir: string;
  let mounted = false;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'dave-full-'));
    mounted = mount(dir);
    if (!mounted) {
      console.log('      (skipped: mounting a tmpfs is not permitted here)');
      this.skip();
    }
  });
  after(() => {
    if (mounted) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fills, refuses writes loudly, serves reads, recovers after the disk grows, and loses nothing acknowledged', async () => {
    const lines: { level: string; text: string }[] = [];
    const at = (level: string) => (...a: unknown[]) => void lines.push({ level, text: a.map(String).join(' ') });
    const logger: Logger = { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') };
    const data = join(dir, 'db');
    mkdirSync(data);
    let node = await Dave.open({ listen: '127.0.0.1:0', database: data, logger, verifyWorkers: 0 });
    const owner = new Uint8Array(32).fill(5);
    const acked: Dat[] = [];
    let refused: unknown;
    for (let i = 0; i < 20_000 && refused === undefined; i++) {
      const dat = await createDat({ key: `k${i}`, value: 'v'.repeat(1100), privateKey: owner });
      try {
        await node.storeLocal(dat);
        acked.push(dat);
      } catch (err) {
        refused = err;
      }
    }
    expect(isDaveError(refused, 'ERR_STORAGE_UNAVAILABLE'), String(refused)).to.equal(true);
    expect((refused as Error).message).to.match(/disk full/);
    expect(node.storeHealth()?.status).to.equal('degraded');
    expect(acked.length).to.be.greaterThan(100);
    // refused at once while full; reads go on
    const again = await node.storeLocal(await createDat({ key: 'more', value: 'v', privateKey: owner })).catch((e: unknown) => e);
    expect(isDaveError(again, 'ERR_STORAGE_UNAVAILABLE')).to.equal(true);
    for (const d of [acked[0]!, acked[acked.length - 1]!]) expect((await node.get(d.pubKey, d.key)).dat.value).to.deep.equal(d.value);
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors.length).to.equal(1);
    expect(errors[0]!.text).to.match(/store degraded.*disk full.*free space/);

    execFileSync('mount', ['-o', 'remount,size=16m', dir]);
    const end = Date.now() + 30_000;
    while (node.storeHealth()?.status !== 'ok' && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(node.storeHealth()?.status).to.equal('ok');
    expect(lines.filter((l) => /store recovered/.test(l.text)).length).to.equal(1);
    const after = await createDat({ key: 'after', value: 'v', privateKey: owner });
    await node.storeLocal(after);
    acked.push(after);
    await node.close();

    node = await Dave.open({ listen: '127.0.0.1:0', database: data, verifyWorkers: 0 });
    try {
      const missing: string[] = [];
      for (const [i, d] of acked.entries()) if (!(await node.get(d.pubKey, d.key).catch(() => null))) missing.push(`${i}:${Buffer.from(d.key)}`);
      expect(missing, `of ${acked.length}`).to.deep.equal([]);
      expect(node.recordCount()).to.equal(acked.length);
      for (const d of acked) expect((await node.get(d.pubKey, d.key)).dat.value).to.deep.equal(d.value);
    } finally {
      await node.close();
    }
  });
});
