/** node/replication/pass.ts driven directly: fake sinks, test services. No sockets, no nodes. */
import { expect } from 'chai';
import { addrPort } from '../../../lib/wire/address.js';
import type { Entry } from '../../../lib/wire/entry.js';
import { nodeId } from '../../../lib/records/record.js';
import type { Peer, PeerTable } from '../../../lib/peers/table.js';
import type { FrameSink } from '../../../lib/node/writes/frame-sink.js';
import { replicationPass } from '../../../lib/node/replication/pass.js';
import { chooseReplicas } from '../../../lib/node/replication/rules.js';
import { vectorDat } from '../../wire/fixtures.js';
import { entriesStore, testServices } from '../support/services.js';
import { FakeSink, asSink } from '../support/fake-sink.js';

describe('node/replication/pass', () => {
  const dat = vectorDat();
  const owner = nodeId(dat.pubKey);
  const peer = (id: bigint, port: number) => ({ id, addr: addrPort('10.0.0.1', port) }) as unknown as Peer;

  function host(self: bigint, entries: Entry[], peers: Peer[], open: (port: number) => Promise<FrameSink | Error>) {
    const stored: Entry[] = [];
    const table = { activeById: () => new Map(peers.map((p) => [p.id, p])) } as unknown as PeerTable;
    const h = testServices({ connectTimeoutMs: 100 }, table, {
      id: self,
      store: entriesStore(entries),
      openSink: (a) => open(a.port),
      intake: { accept: async (e) => (stored.push(e), { status: 'stored' }), verify: async () => {}, countVerifyError: () => {} },
    });
    return { h, stored, counters: h.counters };
  }

  it('a non-leader stores the new replica list at once and sends nothing', async () => {
    const self = owner ^ 1n;
    const newcomer = peer(owner ^ 2n, 2);
    const leader = 2n ** 64n - 1n; // the largest old replica ID leads, and it is not us
    const { h, stored } = host(self, [{ dat, replicas: [self, leader, 0n, 0n, 0n] }], [newcomer], async () => {
      throw new Error('no connection expected');
    });
    expect(await replicationPass(h)).to.equal(1);
    expect(stored.map((e) => e.replicas)).to.deep.equal([chooseReplicas(owner, [self, newcomer.id])]);
  });

  it('the leader sends the entry to each new replica, then stores the new list', async () => {
    const self = owner ^ 0xffffn; // the largest of the old set: the leader
    const newcomer = peer(owner ^ 2n, 2);
    const sink = new FakeSink();
    const { h, stored, counters } = host(self, [{ dat, replicas: [self, 0n, 0n, 0n, 0n] }], [newcomer], async () => asSink(sink));
    expect(await replicationPass(h)).to.equal(1);
    expect(sink.pushed).to.have.length(1);
    expect(sink.ended).to.equal(true);
    const next = chooseReplicas(owner, [self, newcomer.id]);
    expect(stored.map((e) => e.replicas)).to.deep.equal([next]);
    expect(counters.packetsOut.PUT).to.equal(1);
  });

  it('the leader keeps the old list when a send failed, to try again next pass', async () => {
    const self = owner ^ 0xffffn;
    const { h, stored, counters } = host(self, [{ dat, replicas: [self, 0n, 0n, 0n, 0n] }], [peer(owner ^ 2n, 2)], async () => new Error('ECONNREFUSED'));
    expect(await replicationPass(h)).to.equal(1);
    expect(stored).to.have.length(0);
    expect(counters.replicationRetries).to.equal(1);
  });
});
