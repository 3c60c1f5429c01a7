/**
 * api/sse: the event-stream framing, the cap on concurrent streams, a
 * client that stops reading (dropped once its unread bytes pass the
 * bound, while a reading client gets everything), and teardown when a
 * client goes or the server closes. A real node:http server on loopback.
 */
import { expect } from 'chai';
import { type Server, createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sendError } from '../../lib/api/http.js';
import { SseStreams, sseFrame } from '../../lib/api/sse.js';
import { readSse } from './support/sse-reader.js';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('api/sse', () => {
  let server: Server;
  let streams: SseStreams;
  let url: string;

  const serve = async (s: SseStreams) => {
    streams = s;
    server = createServer((req, res) => {
      try {
        streams.open(req, res, sseFrame('hello', { n: 1 }));
      } catch (err) {
        sendError(res, err);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  };
  afterEach(async () => {
    streams.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('frames an event as event:, one data: line of JSON, a blank line; refuses a bad name', async () => {
    expect(sseFrame('tick', { a: 1, s: 'two\nlines' })).to.equal('event: tick\ndata: {"a":1,"s":"two\\nlines"}\n\n');
    expect(() => sseFrame('bad\nname', {})).to.throw(TypeError);
    expect(() => sseFrame('', {})).to.throw(TypeError);
    await serve(new SseStreams({ retryMs: 1500 }));
    const r = await readSse(url);
    expect(r.status).to.equal(200);
    await until(() => r.events.length === 1, 2000, 'hello');
    streams.broadcast('peer-added', { address: '127.0.0.1:1' });
    const e = await r.next('peer-added');
    expect(e.data).to.deep.equal({ address: '127.0.0.1:1' });
    expect(r.text()).to.equal('retry: 1500\n\nevent: hello\ndata: {"n":1}\n\nevent: peer-added\ndata: {"address":"127.0.0.1:1"}\n\n');
    r.close();
  });

  it('answers the stream over the cap 503 ERR_TOO_MANY_STREAMS, and takes one again when a client leaves', async () => {
    await serve(new SseStreams({ maxStreams: 2 }));
    const a = await readSse(url);
    const b = await readSse(url);
    expect([a.status, b.status]).to.deep.equal([200, 200]);
    const res = await fetch(url);
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.equal('10');
    expect(((await res.json()) as { code: string }).code).to.equal('ERR_TOO_MANY_STREAMS');
    a.close();
    await until(() => streams.size === 1, 2000, 'the closed stream to be removed');
    const c = await readSse(url);
    expect(c.status).to.equal(200);
    b.close();
    c.close();
    await until(() => streams.size === 0, 2000, 'teardown');
  });

  it('drops a client that stops reading once its unread bytes pass the bound; a reading client gets every event', async function () {
    this.timeout(30_000);
    await serve(new SseStreams({ maxBuffered: 64 * 1024 }));
    const fast = await readSse(url);
    const slow = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until(() => streams.size === 2, 2000, 'two streams');
    slow.pause(); // never reads again: the kernel buffers fill, then the response's
    let slowClosed = false;
    slow.on('close', () => (slowClosed = true));
    slow.on('error', () => {});
    const big = 'x'.repeat(32 * 1024);
    let sent = 0;
    for (; sent < 2000 && streams.dropped === 0; sent++) {
      streams.broadcast('tick', { n: sent, big });
      await new Promise((r) => setImmediate(r));
    }
    expect(streams.dropped, `dropped after ${sent} events of 32 KiB`).to.equal(1);
    expect(streams.size).to.equal(1);
    streams.broadcast('tick', { n: -1, big: '' });
    await fast.next('tick', (d) => d.n === -1, 20_000);
    expect(fast.events.filter((e) => e.event === 'tick').length).to.equal(sent + 1);
    slow.resume();
    await until(() => slowClosed, 5000, 'the slow socket to be closed');
    fast.close();
  });

  it('answers a HEAD with the headers alone and holds no stream for it', async () => {
    await serve(new SseStreams());
    const res = await fetch(url, { method: 'HEAD' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/event-stream; charset=utf-8');
    expect(streams.size).to.equal(0);
  });

  it('close() ends every stream and refuses new ones (503 ERR_CLOSED); safe twice', async () => {
    await serve(new SseStreams());
    const a = await readSse(url);
    await a.next('hello');
    streams.close();
    streams.close();
    await a.ended;
    expect(streams.size).to.equal(0);
    const res = await fetch(url);
    expect(res.status).to.equal(503);
    expect(((await res.json()) as { code: string }).code).to.equal('ERR_CLOSED');
  });
});
