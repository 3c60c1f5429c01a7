/**
 * The capacity attack from issue 11/17, as a test: one unauthenticated
 * TCP client sends a node started with a capacity of 100 KiB 3,000 empty
 * records and then 6,000 records of the largest size, all of one owner.
 * Before, each admission evicted at most one entry, so large records
 * replaced small ones and the store grew to 6.3x its capacity; now used
 * space stays within the capacity throughout and at the end.
 */
import { expect } from 'chai';
import net from 'node:net';
import { MAX_KV_LEN, OP } from '../../../lib/constants.js';
import { createDat } from '../../../lib/workers/create-dat.js';
import { parseAddress } from '../../../lib/wire/address.js';
import { encodeMessage } from '../../../lib/wire/message.js';
import type { Dat } from '../../../lib/wire/dat.js';
import { clusterFixture, until } from '../support/cluster.js';
import { createMemoryLevel } from '../../../storage-adapters/memory-level.js';

function frame(dat: Dat, replica: bigint): Uint8Array {
  const msg = encodeMessage({ op: OP.PUT, entry: { dat, replicas: [replica, 0n, 0n, 0n, 0n] } });
  const f = new Uint8Array(2 + msg.length);
  f[0] = msg.length & 0xff;
  f[1] = msg.length >> 8;
  f.set(msg, 2);
  return f;
}

// Real sockets: the attacker is a raw TCP client, and the simulator's scripted peer (SimPeer) has no TCP side.
describe('node: capacity is a hard bound against a flood over TCP', function () {
  this.timeout(120_000);
  const { cluster } = clusterFixture();

  it('3,000 empty then 6,000 largest records from one client end within --capacity 100KiB', async () => {
    const capacity = 100 * 1024;
    // a database of its own, so the node opens its store with the capacity (as dave start --capacity does)
    const node = await cluster.open({ capacity, database: createMemoryLevel() as never, timings: { frameTimeoutMs: 5_000 } });
    const owner = new Uint8Array(32).fill(77);
    const now = Date.now();
    const dats: Dat[] = [];
    for (let i = 0; i < 3000; i++) dats.push(await createDat({ key: `e${i}`, value: '', privateKey: owner, time: now - 9000 + i }));
    for (let i = 0; i < 6000; i++) {
      const key = `m${i}`;
      dats.push(await createDat({ key, value: 'x'.repeat(MAX_KV_LEN - key.length), privateKey: owner, time: now - 6000 + i }));
    }
    const a = parseAddress(node.address());
    const s = net.connect({ host: '127.0.0.1', port: a.port + 1 });
    await new Promise<void>((r, j) => s.once('connect', () => r()).once('error', j));
    let maxUsed = 0;
    const watch = setInterval(() => (maxUsed = Math.max(maxUsed, node.usedSpace())), 5);
    try {
      for (const d of dats) if (!s.write(frame(d, node.id))) await new Promise((r) => s.once('drain', r));
      s.end();
      const handled = () => {
        const st = node.stats();
        return st.recordsStored + Object.values(st.refused).reduce((x, y) => x + y, 0) + st.verifyFailures + st.droppedQueueFull;
      };
      await until(() => handled() >= dats.length, 90_000, 'every record handled');
    } finally {
      clearInterval(watch);
      s.destroy();
    }
    const st = node.stats();
    maxUsed = Math.max(maxUsed, node.usedSpace());
    expect(node.usedSpace()).to.be.at.most(capacity);
    expect(maxUsed).to.be.at.most(capacity);
    expect(st.evicted).to.be.greaterThan(0); // the large records did push the small ones out
  });
});
