/**
 * Every write answer is true, with a peer present (and without): the
 * library (put, batchWriter, storeLocal), the HTTP API and the CLI report
 * each refusal of this node's store (older, duplicate, other owner, no
 * room, store unavailable) as an error with its code, and a success says
 * where the record went (stored here, replicas it was sent to).
 */
import { expect } from 'chai';
import { MemoryLevel } from 'memory-level';
import { createDat } from '../../../lib/workers/create-dat.js';
import { nodeId } from '../../../lib/records/record.js';
import { publicKeyFromSeed, signingKey } from '../../../lib/crypto/ed25519.js';
import { isDaveError } from '../../../lib/errors.js';
import { Store } from '../../../lib/store/store.js';
import type { StoreLike } from '../../../lib/store/types.js';
import { collidingStore } from '../support/colliding-store.js';
import type { Dave } from '../../../lib/node/dave.js';
import type { Dat } from '../../../lib/wire/dat.js';
import { ApiServer } from '../../../lib/api/server.js';
import { LocalClient } from '../../../lib/api/local.js';
import { createMetrics } from '../../../lib/api/metrics.js';
import { datToJson } from '../../../lib/api/dat-json.js';
import { dave } from '../../cli/dave-proc.js';
import { withFaults, type FaultPlan } from '../../storage-adapters/faulty-level.js';
import type { AnyLevel } from '../../../lib/store/layout.js';
import { clusterFixture } from '../support/cluster.js';
import { seededBytes } from '../../support/seed.js';

const alice = new Uint8Array(32).fill(21);
const bob = new Uint8Array(32).fill(22);

async function code(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (err: unknown) => (isDaveError(err) ? err.code : String(err)),
  );
}

// Real sockets: the answers are checked through the real HTTP API and the dave command in a child process,
// which reach the node over loopback.
describe('node: every write answer is true', function () {
  this.timeout(30_000);
  const { cluster } = clusterFixture();

  /** A node with one active peer, on `store` (default: a fresh one). */
  async function pair(store?: (id: bigint) => Promise<StoreLike>): Promise<[Dave, Dave]> {
    const privateKey = seededBytes(32);
    const s = store ? await store(nodeId(publicKeyFromSeed(privateKey))) : undefined;
    const edge = await cluster.open();
    const node = await cluster.open({ privateKey, store: s, edges: [edge.address()] });
    await node.waitForActivePeers(1);
    await edge.waitForActivePeers(1);
    return [node, edge];
  }

  it('put with a peer: stored here and sent to the replica; older and duplicate records are refused with their codes', async () => {
    const [node] = await pair();
    const t = Date.now() - 1000;
    const newer = await createDat({ key: 'k', value: 'new', privateKey: alice, time: t });
    const older = await createDat({ key: 'k', value: 'old', privateKey: alice, time: t - 10 });
    expect(await node.put(newer)).to.deep.equal({ storedHere: 1, sentTo: 1 });
    expect(await code(node.put(newer))).to.equal('ERR_DUPLICATE');
    expect(await code(node.put(older))).to.equal('ERR_OLDER_THAN_STORED');
    expect((await node.get(publicKeyFromSeed(alice), 'k')).dat.value).to.deep.equal(new TextEncoder().encode('new'));
    const w = node.batchWriter(publicKeyFromSeed(alice));
    await w.write(await createDat({ key: 'b1', value: '1', privateKey: alice }));
    await w.write(older);
    expect(await code(w.close())).to.equal('ERR_OLDER_THAN_STORED');
  });

  it('a batch writer reports the records stored here and the replicas they were sent to', async () => {
    const [node] = await pair();
    const w = node.batchWriter(publicKeyFromSeed(bob));
    for (let i = 0; i < 5; i++) await w.write(await createDat({ key: `w${i}`, value: 'v', privateKey: bob }));
    expect(await w.close()).to.deep.equal({ storedHere: 5, sentTo: 1 });
  });

  it("another owner's record under the same store key: ERR_PUBKEY_MISMATCH, with a peer", async () => {
    const [node] = await pair(async (id) => collidingStore(await Store.open({ nodeId: id, sync: false })));
    await node.put(await createDat({ key: 'a', value: 'x', privateKey: alice }));
    expect(await code(node.put(await createDat({ key: 'b', value: 'y', privateKey: bob })))).to.equal('ERR_PUBKEY_MISMATCH');
  });

  it('no room: ERR_STORAGE_FULL, with a peer', async () => {
    const [node] = await pair((id) => Store.open({ nodeId: id, sync: false, capacity: 100 }));
    expect(await code(node.put(await createDat({ key: 'a', value: 'x', privateKey: alice })))).to.equal('ERR_STORAGE_FULL');
  });

  it('store unavailable: ERR_STORAGE_UNAVAILABLE with a peer and without, and nothing is acknowledged', async () => {
    const Faulty = withFaults(MemoryLevel);
    const db = new Faulty({ keyEncoding: 'view', valueEncoding: 'view' }) as unknown as AnyLevel & { faults: FaultPlan };
    let store!: Store;
    const [node] = await pair(async (id) => (store = await Store.open({ database: db, nodeId: id, sync: false, retry: { minMs: 10, maxMs: 10 } })));
    const release = db.faults.failWritesUntilReleased();
    expect(await code(node.put(await createDat({ key: 'a', value: 'x', privateKey: alice })))).to.equal('ERR_STORAGE_UNAVAILABLE');
    expect(await code(node.storeLocal(await createDat({ key: 'b', value: 'x', privateKey: alice })))).to.equal('ERR_STORAGE_UNAVAILABLE');
    expect(node.storeHealth()?.status).to.equal('degraded');
    expect(node.recordCount()).to.equal(0);
    release();
    const end = Date.now() + 5000;
    while (node.storeHealth()?.status !== 'ok' && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(await node.put(await createDat({ key: 'c', value: 'x', privateKey: alice }))).to.deep.equal({ storedHere: 1, sentTo: 1 });
    await cluster.close();
    await store.close();
    await db.close();
  });

  it('storeLocal with no peer: stored here, sent to none', async () => {
    const node = await cluster.open();
    expect(await node.storeLocal(await createDat({ key: 'a', value: 'x', privateKey: alice }))).to.deep.equal({ storedHere: 1, sentTo: 0 });
  });

  describe('through the HTTP API and the CLI, with a peer', () => {
    let server: ApiServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    async function api(node: Dave): Promise<{ url: string; post: (path: string, body: unknown) => Promise<{ status: number; json: any }> }> {
      const client = new LocalClient(node, { userKey: signingKey(alice), ticket: () => 'ticket' });
      server = await ApiServer.listen({ client, metrics: createMetrics(node), host: '127.0.0.1', port: 0, token: 'secret' });
      const url = server.url;
      return {
        url,
        post: async (path, body) => {
          const res = await fetch(url + path, { method: 'POST', body: JSON.stringify(body), headers: { authorization: 'Bearer secret', 'content-type': 'application/json' } });
          return { status: res.status, json: await res.json() };
        },
      };
    }

    it('POST /dats: 201 with where it went; an older or identical record is 409 with its code, not 201', async () => {
      const [node] = await pair();
      const { post } = await api(node);
      const t = Date.now() - 1000;
      const newer: Dat = await createDat({ key: 'k', value: 'new', privateKey: bob, time: t });
      const older: Dat = await createDat({ key: 'k', value: 'old', privateKey: bob, time: t - 10 });
      const ok = await post('/dats', datToJson(newer));
      expect(ok.status).to.equal(201);
      expect(ok.json).to.include({ storedHere: true, sentTo: 1, value: 'new' });
      const dup = await post('/dats', datToJson(newer));
      expect([dup.status, dup.json.code]).to.deep.equal([409, 'ERR_DUPLICATE']);
      const old = await post('/dats', datToJson(older));
      expect([old.status, old.json.code]).to.deep.equal([409, 'ERR_OLDER_THAN_STORED']);
      const rec = await post('/records', { key: 'r', value: 'v' });
      expect(rec.status).to.equal(201);
      expect(rec.json).to.include({ storedHere: true, sentTo: 1 });
    });

    it('POST /records on a full store: 507 ERR_STORAGE_FULL; /status shows the store health', async () => {
      const [node] = await pair((id) => Store.open({ nodeId: id, sync: false, capacity: 100 }));
      const { post, url } = await api(node);
      const full = await post('/records', { key: 'r', value: 'v' });
      expect([full.status, full.json.code]).to.deep.equal([507, 'ERR_STORAGE_FULL']);
      const status = (await (await fetch(url + '/status')).json()) as { storeHealth: { status: string } };
      expect(status.storeHealth.status).to.equal('ok');
      const metrics = await (await fetch(url + '/metrics')).text();
      expect(metrics).to.match(/^dave_store_healthy 1$/m);
    });

    it('dave put: says it went to 1 replica; on a full store it fails with the code and a non-zero exit', async () => {
      const [node] = await pair();
      const { url } = await api(node);
      const ok = await dave(['put', '--api', url, '--token', 'secret', 'k', 'v']);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(/stored on this node, sent to 1 replica\b/);
      await server!.close();
      const [full] = await pair((id) => Store.open({ nodeId: id, sync: false, capacity: 100 }));
      const { url: fullUrl } = await api(full);
      const no = await dave(['put', '--api', fullUrl, '--token', 'secret', 'k', 'v']);
      expect(no.code).to.not.equal(0);
      expect(no.stderr).to.match(/ERR_STORAGE_FULL/);
    });
  });
});
