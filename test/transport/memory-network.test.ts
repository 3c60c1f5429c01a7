/** Nodes run unchanged on a transport that is not node:dgram/node:net. */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Dave } from '../../lib/node/dave.js';
import { createDat } from '../../lib/records/record.js';
import { FAST } from '../node/support/cluster.js';
import { MemoryNetwork } from './memory-network.js';

describe('transport: an in-memory network behind the interfaces', function () {
  this.timeout(20_000);
  const nodes: Dave[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  it('three nodes authenticate, write and read over it', async () => {
    const net = new MemoryNetwork();
    const open = async (edges: string[] = []) => {
      const n = await Dave.open({ listen: '10.0.0.1:0', sockets: net, edges, timings: FAST, verifyWorkers: 0 });
      nodes.push(n);
      return n;
    };
    const a = await open();
    const b = await open([a.address()]);
    const c = await open([a.address()]);
    await Promise.all([a, b, c].map((n) => n.waitForActivePeers(2)));
    expect(a.address()).to.match(/^10\.0\.0\.1:\d+$/);
    const dat = await createDat({ key: 'k', value: 'over memory', privateKey: new Uint8Array(randomBytes(32)) });
    await b.put(dat);
    const got = await c.get(dat.pubKey, 'k');
    expect(Buffer.from(got.dat.value).toString()).to.equal('over memory');
    expect(net.datagrams).to.be.greaterThan(0);
  });
});
