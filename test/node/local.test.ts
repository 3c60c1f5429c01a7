/**
 * The node's local view for the CLI and API: localRecords (owner, key
 * prefix, paging), localEntries (a snapshot stream), storeLocal (verify,
 * then store here alone) and the counts read by /metrics.
 */
import { expect } from 'chai';
import { Dave } from '../../lib/node/dave.js';
import { createDat } from '../../lib/workers/create-dat.js';
import { publicKeyFromSeed } from '../../lib/crypto/ed25519.js';

describe('node/local view', () => {
  let node: Dave;
  const alice = new Uint8Array(32).fill(1);
  const bob = new Uint8Array(32).fill(2);

  before(async () => {
    node = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
    for (const k of ['b/2', 'a/1', 'b/1', 'b/3', 'c']) await node.storeLocal(await createDat({ key: k, value: k, privateKey: alice }));
    await node.storeLocal(await createDat({ key: 'b/9', value: 'x', privateKey: bob }));
  });
  after(() => node.close());

  it('lists one owner\'s records by key prefix, paged with a cursor, each page in key order', async () => {
    const me = publicKeyFromSeed(alice);
    const keys = (r: { entries: { dat: { key: Uint8Array } }[] }) => r.entries.map((e) => Buffer.from(e.dat.key).toString());
    const p1 = await node.localRecords(me, { prefix: 'b/', limit: 2 });
    expect(keys(p1)).to.have.length(2);
    expect([p1.more, p1.next]).to.satisfy(([more, next]: [boolean, string]) => more && /^[0-9a-f]{16}$/.test(next));
    const p2 = await node.localRecords(me, { prefix: 'b/', limit: 2, after: p1.next! });
    expect(keys(p2)).to.have.length(1);
    expect([p2.more, p2.next]).to.deep.equal([false, null]);
    expect([...keys(p1), ...keys(p2)].sort()).to.deep.equal(['b/1', 'b/2', 'b/3']);
    expect(keys(await node.localRecords(me))).to.deep.equal(['a/1', 'b/1', 'b/2', 'b/3', 'c']);
    await node.localRecords(me, { after: 'b/2' }).then(
      () => expect.fail('a key accepted as the cursor'),
      (err) => expect(err.code).to.equal('ERR_INVALID_ARGUMENT'),
    );
    await node.localRecords(new Uint8Array(3)).then(
      () => expect.fail('short owner accepted'),
      (err) => expect(err.code).to.equal('ERR_INVALID_ARGUMENT'),
    );
    await node.localRecords(me, { limit: 0 }).then(
      () => expect.fail('limit 0 accepted'),
      (err) => expect(err.code).to.equal('ERR_INVALID_ARGUMENT'),
    );
  });

  it('streams every record held, and counts them', async () => {
    const all = [];
    for await (const e of node.localEntries()) all.push(e);
    expect(all).to.have.length(6);
    expect(node.recordCount()).to.equal(6);
    expect(node.verifyQueueLength()).to.equal(0);
  });

  it('storeLocal verifies first and reports refusals with their codes', async () => {
    const dat = await createDat({ key: 'z', value: 'v', privateKey: alice });
    const forged = { ...dat, value: new TextEncoder().encode('w') };
    await node.storeLocal(forged).then(
      () => expect.fail('forged record stored'),
      (err) => expect(err.code).to.equal('ERR_BAD_SIGNATURE'),
    );
    await node.storeLocal(dat);
    await node.storeLocal(dat).then(
      () => expect.fail('duplicate stored'),
      (err) => expect(err.code).to.equal('ERR_DUPLICATE'),
    );
    expect(node.stats().refused.ERR_DUPLICATE).to.equal(1);
  });
});
