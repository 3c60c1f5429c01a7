/** closeParts: what a closing node (or one that failed to start) releases, and how a failing store is met. */
import { expect } from 'chai';
import { closeParts, type NodeParts } from '../../lib/node/parts.js';

/** Parts whose every close is recorded; the store's close/flush run `storeStep`. */
function fakeParts(ownsStore: boolean, storeStep: () => Promise<void> = async () => {}) {
  const calls: string[] = [];
  const warned: unknown[][] = [];
  const step = (name: string, then: () => Promise<void> = async () => {}) => async () => {
    calls.push(name);
    await then();
  };
  const parts = {
    ownsStore,
    udp: { close: step('udp') },
    tcp: { close: step('tcp') },
    pool: { release: step('pool') },
    store: { close: step('store.close', storeStep), flush: step('store.flush', storeStep) },
    log: { warn: (...a: unknown[]) => warned.push(a), info() {}, debug() {}, error() {} },
  } as unknown as NodeParts;
  return { parts, calls, warned };
}

describe('node: parts', () => {
  it('closeParts closes the sockets and the pool, then closes a store the node opened', async () => {
    const { parts, calls, warned } = fakeParts(true);
    await closeParts(parts);
    expect(calls).to.deep.equal(['udp', 'tcp', 'pool', 'store.close']);
    expect(warned).to.deep.equal([]);
  });

  it('closeParts only flushes a store that was handed in', async () => {
    const { parts, calls } = fakeParts(false);
    await closeParts(parts);
    expect(calls).to.deep.equal(['udp', 'tcp', 'pool', 'store.flush']);
  });

  it('closeParts logs a store that fails to close instead of throwing', async () => {
    const boom = new Error('disk gone');
    const { parts, warned } = fakeParts(true, async () => {
      throw boom;
    });
    await closeParts(parts);
    expect(warned).to.have.length(1);
    expect(warned[0]).to.include(boom);
  });
});
