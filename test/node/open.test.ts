/** Dave.open: the socket pair, argument checks, and failures that leave nothing open. */
import { expect } from 'chai';
import net from 'node:net';
import { Dave } from '../../lib/node/dave.js';
import { parseAddress } from '../../lib/wire/address.js';
import { Cluster } from './support/cluster.js';

// Real sockets: what is tested is binding the OS's UDP and TCP sockets (port 0, p + 1, taken ports).
describe('node: open', function () {
  this.timeout(20_000);
  const cluster = new Cluster();
  afterEach(() => cluster.close());

  it('port 0 picks a free pair: UDP on p, TCP on p + 1', async () => {
    const a = await cluster.open();
    const { port } = parseAddress(a.address());
    expect(port).to.be.greaterThan(0);
    const s = net.connect({ host: '127.0.0.1', port: port + 1 });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('error', reject);
    });
    s.destroy();
  });

  it('a taken fixed port fails with the OS error', async () => {
    const a = await cluster.open();
    const err = await Dave.open({ listen: a.address(), verifyWorkers: 0 }).catch((e) => e);
    expect(err.code).to.equal('EADDRINUSE');
  });

  it('checks its arguments early, with stable codes', async () => {
    const cases: [object, string][] = [
      [{ privateKey: new Uint8Array(31) }, 'ERR_INVALID_ARGUMENT'],
      [{ listen: 'nowhere' }, 'ERR_BAD_ADDRESS'],
      [{ edges: ['1.2.3.4'] }, 'ERR_BAD_ADDRESS'],
      [{ timings: { pingMs: 0 } }, 'ERR_INVALID_ARGUMENT'],
      [{ capacity: -1 }, 'ERR_INVALID_ARGUMENT'],
    ];
    for (const [options, code] of cases) {
      const err = await Dave.open({ listen: '127.0.0.1:0', ...options }).catch((e) => e);
      expect(err?.code, JSON.stringify(options)).to.equal(code);
    }
  });

  it('methods after close fail with ERR_CLOSED; close is safe twice', async () => {
    const a = await cluster.open();
    await a.close();
    await a.close();
    expect(() => a.batchWriter(new Uint8Array(32))).to.throw().with.property('code', 'ERR_CLOSED');
    const err = await a.get(new Uint8Array(32), 'k').catch((e) => e);
    expect(err.code).to.equal('ERR_CLOSED');
  });

  it('get() and waitForActivePeers() on a node closing under them fail with ERR_CLOSED', async () => {
    const a = await cluster.open();
    const duringLocalRead = a.get(new Uint8Array(32).fill(9), 'k').catch((e) => e.code); // close() begins before the local read settles
    const waiting = a.waitForActivePeers(5).catch((e) => e.code);
    await a.close();
    expect(await duringLocalRead).to.equal('ERR_CLOSED');
    expect(await waiting).to.equal('ERR_CLOSED');
  });
});
