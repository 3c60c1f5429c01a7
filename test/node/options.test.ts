/**
 * Dave.open options (lib/node/options.ts): every option checked in one
 * place at open, ERR_INVALID_ARGUMENT naming it, before the disk or the
 * network is touched; the listen port leaves room for TCP on port + 1.
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dave } from '../../lib/node/dave.js';
import { MIN_CAPACITY } from '../../lib/constants.js';
import { resolveOptions, type DaveOptions } from '../../lib/node/options.js';
import { isDaveError } from '../../lib/errors.js';

const BAD: [string, Record<string, unknown>][] = [
  ['options', null as unknown as Record<string, unknown>],
  ['edge', { edge: ['127.0.0.1:1618'] }],
  ['listen', { listen: 1618 }],
  ['listen', { listen: '127.0.0.1:65535' }],
  ['edges', { edges: '127.0.0.1:1618' }],
  ['privateKey', { privateKey: new Uint8Array(31) }],
  ['database', { database: '' }],
  ['database', { database: 42 }],
  ['capacity', { capacity: 0 }],
  ['capacity', { capacity: MIN_CAPACITY - 1 }],
  ['capacity', { capacity: 'abc' }],
  ['cacheCapacity', { cacheCapacity: -1 }],
  ['sync', { sync: 'yes' }],
  ['logger', { logger: console.log }],
  ['clock', { clock: { now: () => 0 } }],
  ['sockets', { sockets: {} }],
  ['timings', { timings: 5 }],
  ['timings.pingMs', { timings: { pingMs: 0 } }],
  ['timings.pingMs', { timings: { pingMs: Infinity } }],
  ['timings.getTimeoutMs', { timings: { getTimeoutMs: 'x' } }],
  ['timings.pingMS', { timings: { pingMS: 100 } }],
  ['store', { store: {} }],
  ['peerLimits', { peerLimits: 3 }],
  ['peerLimits.maxPeers', { peerLimits: { maxPeers: -5 } }],
  ['peerLimits.maxPerHost', { peerLimits: { maxPerHost: 1.5 } }],
  ['peerLimits.maxpeers', { peerLimits: { maxpeers: 5 } }],
  ['maxInboundPerHost', { maxInboundPerHost: 0 }],
  ['maxGetAnswersPerPing', { maxGetAnswersPerPing: -1 }],
  ['verifyWorkers', { verifyWorkers: -1 }],
  ['verifyWorkers', { verifyWorkers: 2.5 }],
  ['verifyWorkers', { verifyWorkers: 1000 }],
  ['maxClockSkewMs', { maxClockSkewMs: 'x' }],
  ['maxClockSkewMs', { maxClockSkewMs: -1 }],
];

describe('node: options', function () {
  this.timeout(20_000);

  it('refuses a bad value of every option with ERR_INVALID_ARGUMENT naming it', () => {
    for (const [name, options] of BAD) {
      let err: unknown;
      try {
        resolveOptions(options as DaveOptions);
      } catch (e) {
        err = e;
      }
      expect(isDaveError(err, 'ERR_INVALID_ARGUMENT'), `${name}: ${String(err)}`).to.equal(true);
      expect((err as Error).message, name).to.include(name);
    }
  });

  it('accepts the defaults, and the smallest capacity that holds one record', () => {
    const o = resolveOptions({ capacity: MIN_CAPACITY, verifyWorkers: 0, maxClockSkewMs: 0, peerLimits: { maxPeers: 1 } });
    expect(o.capacity).to.equal(1448);
    expect(o.peerLimits).to.deep.equal({ maxPeers: 1, maxPerHost: 8 });
    expect(resolveOptions({}).verifyWorkers).to.equal(undefined);
  });

  it('a bad option leaves nothing behind: no database directory is created', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dave-options-'));
    try {
      const dir = join(parent, 'd1');
      for (const bad of [{ listen: 'foo' }, { verifyWorkers: -1 }, { capacity: 0 }]) {
        const err = await Dave.open({ ...bad, database: dir } as DaveOptions).catch((e: unknown) => e);
        expect(isDaveError(err), String(err)).to.equal(true);
        expect(existsSync(dir)).to.equal(false);
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('when only the TCP port (UDP + 1) is taken, the error says it is the TCP port', async () => {
    // a free UDP port whose port + 1 we hold with a TCP listener
    const holder = net.createServer();
    let node: Dave | undefined;
    try {
      for (let attempt = 0; attempt < 20 && node === undefined; attempt++) {
        const probe = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
        const port = Number(probe.address().split(':').pop());
        await probe.close();
        const held = await new Promise<boolean>((resolve) => {
          holder.once('error', () => resolve(false));
          holder.listen(port + 1, '127.0.0.1', () => resolve(true));
        });
        if (!held) continue;
        const err = await Dave.open({ listen: `127.0.0.1:${port}`, verifyWorkers: 0 }).catch((e: unknown) => e);
        expect((err as { code?: string }).code).to.equal('EADDRINUSE');
        expect((err as Error).message).to.include(`TCP port ${port + 1}`);
        return;
      }
      expect.fail('found no port pair to test with');
    } finally {
      holder.close();
    }
  });
});
