/**
 * Trust with a real godave node (../shared/godave): the network still works
 * with trust on, and the Go node is challenged like any peer (its answers
 * are ordinary GET_ACKs, so it passes).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Dave } from '../../../lib/node/dave.js';
import { createDat } from '../../../lib/workers/create-dat.js';
import { FAST, until } from '../support/cluster.js';
import { GO_WRITER_SEED, GoNode, goNodeMissing, killAll, seedOf } from '../../interop/godave.js';
import { publicKeyFromSeed } from '../../../lib/crypto/ed25519.js';

// Real sockets and the wall clock: the other node is a real godave process.
describe('node: trust with a godave node', function () {
  this.timeout(60_000);
  let go: GoNode | null = null;
  const nodes: Dave[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    await killAll();
    go = null;
  });

  it('a Go node is challenged and passes; records still flow both ways with trust on', async function () {
    const missing = goNodeMissing();
    if (missing) {
      // as the interop suite: absent outside this repository's layout is a skip, in CI a failure
      if (process.env.CI) throw new Error(`interop: ${missing}`);
      console.log(`      skipped: ${missing}`);
      return this.skip();
    }
    go = await GoNode.start({ seed: 7 });
    const trust = { challengeProbability: 1, challengeEveryMs: 300, challengeDelayMs: 200 };
    const timings = { ...FAST, pingMs: 200, deactivateAfterMs: 3_000, dropAfterMs: 12_000 };
    const a = await Dave.open({ listen: '[::1]:0', edges: [go.address], trust, timings, verifyWorkers: 0 });
    nodes.push(a);
    const b = await Dave.open({ listen: '[::1]:0', edges: [go.address, a.address()], trust, timings, verifyWorkers: 0 });
    nodes.push(b);
    await a.waitForActivePeers(1);
    // our records go to the Go node as a replica, and it is challenged for them
    const seed = new Uint8Array(randomBytes(32));
    const w = a.batchWriter((await createDat({ key: 'x', value: 'x', privateKey: seed })).pubKey);
    expect(w.replicas).to.include(Buffer.from(go.publicKey, 'hex').readBigUInt64LE(0));
    const dats = [];
    for (let i = 0; i < 4; i++) dats.push(await createDat({ key: `t${i}`, value: `go-${i}`, privateKey: seed }));
    for (const d of dats) await w.write(d);
    await w.close();
    const goInfo = () => a.peers().find((p) => p.address === go!.address)!;
    await until(() => goInfo().challenges.passed >= 2, 20_000, 'the Go node to pass two challenges');
    expect(goInfo().challenges.failed).to.equal(0);
    expect(goInfo().reliability).to.be.greaterThan(0.5);
    expect(goInfo().rttMs).to.be.a('number');
    // the Go node serves our record to godave's own reader
    expect(await go.get(Buffer.from(dats[1]!.pubKey).toString('hex'), 't1', 3000)).to.deep.equal({ ok: true, text: 'go-1' });
    // and a Go writer's record reaches our node with trust on
    await go.waitActive(1, 15_000);
    await go.put('gokey', 'hello');
    await b.waitForActivePeers(2);
    const got = await b.get(publicKeyFromSeed(seedOf(GO_WRITER_SEED)), 'gokey', { timeoutMs: 5_000 });
    expect(Buffer.from(got.dat.value).toString()).to.equal('hello');
  });
});
