/** node/writes/replica-link.ts: the one reconnect rule (docs/protocol.md §10, §12). */
import { expect } from 'chai';
import { ReplicaLink } from '../../../lib/node/writes/replica-link.js';
import type { FrameSink } from '../../../lib/node/writes/frame-sink.js';



/** A FrameSink stand-in with the fields ReplicaLink reads. */
function sinkState(s: { failed: boolean; closedByPeer: boolean; error: Error | null }): FrameSink {
  return { ...s, end: async () => {} } as unknown as FrameSink;
}

describe('node/writes/replica-link', () => {
  it('reconnects after the replica closed an idle connection, at most maxReconnects times', async () => {
    let connects = 0;
    const idleClosed = sinkState({ failed: true, closedByPeer: true, error: null });
    const link = new ReplicaLink(async () => (connects++, idleClosed), 3);
    expect(await link.sink()).to.equal(null);
    expect(connects, 'the first connection and three reconnects').to.equal(4);
    expect(link.error?.message).to.match(/closed the connection/);
  });

  it('returns the open sink; a connect error or a reset is final', async () => {
    const open = sinkState({ failed: false, closedByPeer: false, error: null });
    expect(await new ReplicaLink(async () => open).sink()).to.equal(open);
    let connects = 0;
    const refused = new ReplicaLink(async () => (connects++, new Error('ECONNREFUSED')));
    expect(await refused.sink()).to.equal(null);
    expect(await refused.end(10)).to.have.property('message', 'ECONNREFUSED');
    const reset = new ReplicaLink(async () => (connects++, sinkState({ failed: true, closedByPeer: true, error: new Error('ECONNRESET') })));
    expect(await reset.sink()).to.equal(null);
    expect(reset.error?.message).to.equal('ECONNRESET');
    expect(connects, 'no reconnects').to.equal(2);
  });
});
