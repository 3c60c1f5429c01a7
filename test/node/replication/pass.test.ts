/** node/replication/pass.ts driven directly: fake sinks, test services. No sockets, no nodes. */
import { expect } from 'chai';
import { OP } from '../../../lib/constants.js';
import { addrPort } from '../../../lib/wire/address.js';
import { decodeMessage } from '../../../lib/wire/message.js';
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
      intake: { accept: async (e) => (stored.push(e), { status: 'stored' }), verify: async () => {}, countVerifyError: () => {}, acceptBatch: async () => {} },
    });
    return { h, stored, counters: h.counters };
  }

  // owner ^ small numbers: the smaller, the closer to the owner
  it('a holder that is not a sender keeps the new list with the missing replica as 0, and sends nothing', async () => {
    const self = owner ^ 4n;
    const closer = [peer(owner ^ 1n, 1), peer(owner ^ 2n, 2)]; // two live holders closer to the owner: the senders
    const newcomer = peer(owner ^ 3n, 3);
    const old = [owner ^ 1n, owner ^ 2n, self, 0n, 0n];
    const { h, stored } = host(self, [{ dat, replicas: old }], [...closer, newcomer], async () => {
      throw new Error('no connection expected');
    });
    expect(await replicationPass(h)).to.equal(1);
    const next = chooseReplicas(owner, [self, ...closer.map((p) => p.id), newcomer.id]);
    expect(next).to.deep.equal([owner ^ 1n, owner ^ 2n, owner ^ 3n, self, 0n]);
    expect(stored.map((e) => e.replicas)).to.deep.equal([[owner ^ 1n, owner ^ 2n, 0n, self, 0n]]);
    // the next pass, same view: nothing to store, nothing to send
    const again = host(self, [{ dat, replicas: stored[0]!.replicas }], [...closer, newcomer], async () => {
      throw new Error('no connection expected');
    });
    expect(await replicationPass(again.h)).to.equal(0);
  });

  it('a sender sends the entry, with the new list, to each missing replica, then stores the new list', async () => {
    const self = owner ^ 1n; // the closest holder: a sender
    const newcomer = peer(owner ^ 2n, 2);
    const other = peer(owner ^ 0xffffn, 3); // godave's leader (the largest ID); still here
    const sink = new FakeSink();
    const { h, stored, counters } = host(self, [{ dat, replicas: [other.id, self, 0n, 0n, 0n] }], [newcomer, other], async (port) => {
      expect(port, 'only the newcomer misses it').to.equal(2);
      return asSink(sink);
    });
    expect(await replicationPass(h)).to.equal(1);
    expect(sink.pushed).to.have.length(1);
    expect(sink.ended).to.equal(true);
    const next = chooseReplicas(owner, [self, newcomer.id, other.id]);
    const sent = decodeMessage(sink.pushed[0]!);
    expect(sent.op).to.equal(OP.PUT);
    expect(sent.op === OP.PUT && sent.entry.replicas).to.deep.equal(next);
    expect(stored.map((e) => e.replicas)).to.deep.equal([next]);
    expect(counters.packetsOut.PUT).to.equal(1);
  });

  it('when the closer holders and godave\'s leader left, a farther holder sends', async () => {
    const self = owner ^ 8n;
    const newcomer = peer(owner ^ 2n, 2);
    const old = [owner ^ 1n, owner ^ 3n, self, 2n ** 64n - 1n, 0n]; // 1, 3 and the leader left
    const sink = new FakeSink();
    const { h, stored } = host(self, [{ dat, replicas: old }], [newcomer], async () => asSink(sink));
    expect(await replicationPass(h)).to.equal(1);
    expect(sink.pushed).to.have.length(1);
    expect(stored.map((e) => e.replicas)).to.deep.equal([chooseReplicas(owner, [self, newcomer.id])]);
  });

  it('a sender whose send failed keeps that slot 0 and sends again on the next pass', async () => {
    const self = owner ^ 1n;
    const newcomer = peer(owner ^ 2n, 2);
    const { h, stored, counters } = host(self, [{ dat, replicas: [self, 0n, 0n, 0n, 0n] }], [newcomer], async () => new Error('ECONNREFUSED'));
    expect(await replicationPass(h)).to.equal(0); // the kept list is the old one: nothing stored
    expect(stored).to.have.length(0);
    expect(counters.replicationRetries).to.equal(1);
    const sink = new FakeSink();
    const again = host(self, [{ dat, replicas: [self, 0n, 0n, 0n, 0n] }], [newcomer], async () => asSink(sink));
    expect(await replicationPass(again.h)).to.equal(1);
    expect(sink.pushed).to.have.length(1);
    expect(again.stored.map((e) => e.replicas)).to.deep.equal([chooseReplicas(owner, [self, newcomer.id])]);
  });

  it('bounded: one PUT per missing replica per entry and pass, none when nothing is missing', async () => {
    const self = owner ^ 1n;
    const newcomers = [2n, 3n, 4n, 5n, 6n, 7n].map((d, i) => peer(owner ^ d, 10 + i));
    const sinks = new Map<number, FakeSink>();
    const { h, stored, counters } = host(self, [{ dat, replicas: [self, 0n, 0n, 0n, 0n] }], newcomers, async (port) => {
      const s = new FakeSink();
      sinks.set(port, s);
      return asSink(s);
    });
    expect(await replicationPass(h)).to.equal(1);
    // the FANOUT - 1 closest newcomers, one PUT each
    expect([...sinks.keys()].sort()).to.deep.equal([10, 11, 12, 13]);
    expect([...sinks.values()].every((s) => s.pushed.length === 1)).to.equal(true);
    expect(counters.packetsOut.PUT).to.equal(4);
    const again = host(self, stored, newcomers, async () => {
      throw new Error('no connection expected');
    });
    expect(await replicationPass(again.h)).to.equal(0);
    expect(again.counters.packetsOut.PUT).to.equal(0);
  });
});
