/**
 * PendingAddrAsks: GETMYADDRPORTs from addresses not yet known, held until
 * their PING (lib/node/peers/addr-asks.ts).
 */
import { expect } from 'chai';
import { ASK_WINDOW_MS, MAX_PENDING_ASKS, PendingAddrAsks } from '../../../lib/node/peers/addr-asks.js';

describe('node: PendingAddrAsks', () => {
  it('answers a held ask once, within the window', () => {
    const asks = new PendingAddrAsks();
    asks.add('a', 1_000);
    expect(asks.take('b', 1_100)).to.equal(false);
    expect(asks.take('a', 1_000 + ASK_WINDOW_MS)).to.equal(true);
    expect(asks.take('a', 1_000 + ASK_WINDOW_MS)).to.equal(false);
    expect(asks.size).to.equal(0);
  });

  it('forgets an ask older than the window', () => {
    const asks = new PendingAddrAsks();
    asks.add('a', 1_000);
    expect(asks.take('a', 1_001 + ASK_WINDOW_MS)).to.equal(false);
    expect(asks.size).to.equal(0);
  });

  it('holds at most MAX_PENDING_ASKS, forgetting the oldest first', () => {
    const asks = new PendingAddrAsks();
    for (let i = 0; i <= MAX_PENDING_ASKS; i++) asks.add(`k${i}`, 5);
    expect(asks.size).to.equal(MAX_PENDING_ASKS);
    expect(asks.take('k0', 5)).to.equal(false);
    expect(asks.take(`k${MAX_PENDING_ASKS}`, 5)).to.equal(true);
  });
});
