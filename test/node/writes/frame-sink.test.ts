/**
 * FrameSink backpressure: ready() waits for the socket to drain, but not
 * forever: a peer that accepts and never reads fails the connection.
 */
import { expect } from 'chai';
import { Duplex } from 'node:stream';
import { FrameSink } from '../../../lib/node/writes/frame-sink.js';
import { isDaveError } from '../../../lib/errors.js';
import { systemClock } from '../../../lib/node/options.js';

/** A connection whose far end never reads: writes are never acknowledged. */
function deafStream(): Duplex {
  return new Duplex({
    read() {},
    write(_chunk, _enc, _cb) {
      // never calls back: the bytes stay buffered, 'drain' never comes
    },
  });
}

describe('node: FrameSink', function () {
  this.timeout(10_000);

  it('ready() gives up on a peer that never reads: ERR_CONNECTION, connection destroyed', async () => {
    const stream = deafStream();
    const sink = new FrameSink(stream, 200, systemClock);
    for (let i = 0; i < 6; i++) sink.pushFrame(new Uint8Array(60_000)); // raw bytes: framing is not the point
    await new Promise((r) => setImmediate(r));
    expect(stream.writableLength).to.be.greaterThan(256 * 1024);
    const started = Date.now();
    const outcome = await Promise.race([sink.ready().then(() => 'ready'), new Promise((r) => setTimeout(() => r('hung'), 3_000))]);
    expect(outcome).to.equal('ready');
    expect(Date.now() - started).to.be.within(150, 2_000);
    expect(sink.failed).to.equal(true);
    expect(isDaveError(sink.error, 'ERR_CONNECTION')).to.equal(true);
    expect(stream.destroyed).to.equal(true);
    await sink.end(100); // and ending a failed sink does not hang either
  });

  it('ready() resolves at once below the high-water mark', async () => {
    const sink = new FrameSink(new Duplex({ read() {}, write: (_c, _e, cb) => cb() }), 50, systemClock);
    sink.push(new Uint8Array(100));
    const outcome = await Promise.race([sink.ready().then(() => 'ready'), new Promise((r) => setImmediate(() => r('waited')))]);
    expect(outcome).to.equal('ready');
    expect(sink.failed).to.equal(false);
    sink.destroy();
  });

  it('ready() clears its stall timer when the socket drains: the sink does not fail later', async () => {
    // a peer that reads only when the test says so
    const held: (() => void)[] = [];
    const stream = new Duplex({ read() {}, write: (_c, _e, cb) => void held.push(cb) });
    const sink = new FrameSink(stream, 100, systemClock);
    for (let i = 0; i < 6; i++) sink.pushFrame(new Uint8Array(60_000));
    await new Promise((r) => setImmediate(r));
    expect(stream.writableLength, 'above the high-water mark').to.be.greaterThan(256 * 1024);
    const ready = sink.ready(); // arms the stall timer
    while (held.length > 0) held.shift()!(); // the peer reads everything: 'drain'
    await ready;
    await new Promise((r) => setTimeout(r, 250)); // past the stall timeout: a timer left armed would fail the sink now
    expect(sink.failed).to.equal(false);
    expect(sink.error).to.equal(null);
    expect(stream.destroyed).to.equal(false);
    sink.destroy();
  });
});
