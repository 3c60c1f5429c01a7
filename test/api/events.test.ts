/**
 * api/events: GET /events of a real node on loopback, sampled every 100 ms:
 * the hello with its history (bounded), ticks, a peer joining (added,
 * then proven), a record arriving from another node (stored), a peer
 * going (lost), many peers at once (one `peers` event), and the stream
 * ended when the server closes.
 */
import { expect } from 'chai';
import { createDat } from '../../lib/workers/create-dat.js';
import { idHex } from '../../lib/api/views.js';
import { readSse } from './support/sse-reader.js';
import { WebNet } from './support/web-net.js';

describe('api/events (GET /events)', function () {
  this.timeout(30_000);
  const net = new WebNet();
  after(() => net.close());

  it('starts with hello (version, history bounded by historyLength), then a tick each period', async () => {
    const a = await net.openServed({}, { intervalMs: 100, historyLength: 5 });
    await new Promise((r) => setTimeout(r, 900)); // 8 ticks sampled: more than the history keeps
    const r = await readSse(`${a.api.url}/events`);
    const hello = await r.next('hello');
    expect(hello.data.version).to.match(/^\d+\.\d+\.\d+/);
    expect(hello.data.intervalMs).to.equal(100);
    expect(hello.data.historyLength).to.equal(5);
    expect(hello.data.history.t).to.have.length(5);
    expect(hello.data.history.packetsIn).to.have.length(5);
    expect(hello.data.history.t[4]).to.be.greaterThan(hello.data.history.t[0]);
    const t1 = await r.next('tick');
    expect(t1.data).to.include.keys('t', 'packetsIn', 'packetsOut', 'recordsIn', 'recordsOut', 'getsServed', 'reads', 'readMs', 'records', 'usedSpace', 'capacity', 'peers', 'totals');
    expect(t1.data.capacity).to.equal(a.node.capacity());
    const ticks = r.events.length;
    await new Promise((res) => setTimeout(res, 550));
    const more = r.events.filter((e, i) => i >= ticks && e.event === 'tick').length;
    expect(more).to.be.within(3, 7);
    r.close();
  });

  it('peer-added when a node joins, peer-changed once it is proven, stored when its record arrives, peer-lost when it goes', async () => {
    const a = await net.openServed({}, { intervalMs: 100 });
    const r = await readSse(`${a.api.url}/events`);
    await r.next('hello');
    const b = await net.open({ edges: [a.node.address()] });
    const added = await r.next('peer-added');
    expect(added.data.address).to.equal(b.address());
    expect(added.data).to.include.keys('id', 'edge', 'active', 'lastSeen', 'reliability', 'rttMs');
    await r.next('peer-changed', (d) => d.id === idHex(b.id) && d.active === true);
    const health = await r.next('health', (d) => d.connected === true);
    expect(health.data).to.have.property('store');
    await b.waitForActivePeers(1);
    const dat = await createDat({ key: 'from-b', value: 'hello', privateKey: new Uint8Array(32).fill(3) });
    await b.put(dat);
    const stored = await r.next('stored');
    expect(stored.data.count).to.be.at.least(1);
    expect(stored.data.records).to.equal(a.node.recordCount());
    await b.close();
    const lost = await r.next('peer-lost', () => true, 15_000);
    expect(lost.data).to.deep.equal({ address: b.address(), id: idHex(b.id) });
    r.close();
  });

  it('sends one `peers` event instead of one per peer when more than maxPeerEvents change in a tick', async () => {
    const a = await net.openServed({}, { intervalMs: 300, maxPeerEvents: 1 });
    const r = await readSse(`${a.api.url}/events`);
    await r.next('hello');
    await Promise.all([net.open({ edges: [a.node.address()] }), net.open({ edges: [a.node.address()] }), net.open({ edges: [a.node.address()] })]);
    const p = await r.next('peers');
    expect(p.data.added + p.data.changed + p.data.lost).to.be.at.least(2);
    expect(p.data).to.include.keys('added', 'changed', 'lost', 'known');
    r.close();
  });

  it('ends the streams when the server closes', async () => {
    const a = await net.openServed({}, { intervalMs: 100 });
    const r = await readSse(`${a.api.url}/events`);
    await r.next('hello');
    await a.api.close();
    await r.ended;
  });
});
