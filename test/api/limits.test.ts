/**
 * The API's limits (lib/api/limits.ts) against a hostile local client:
 * hundreds of idle connections are capped (each is a file descriptor the
 * store may need), slow headers and slow bodies are cut off, and the API
 * answers again once the client goes away.
 */
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../lib/api/server.js';
import { LocalClient } from '../../lib/api/local.js';
import { createMetrics } from '../../lib/api/metrics.js';
import { signingKey } from '../../lib/crypto/ed25519.js';
import { Dave } from '../../lib/node/dave.js';

function open(url: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port) }, () => resolve(s));
    s.on('error', reject);
  });
}

function closed(s: Socket): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(0);
    s.on('close', () => resolve(Date.now() - t0));
  });
}

describe('api/limits', function () {
  this.timeout(30_000);
  let node: Dave;
  let server: ApiServer;
  const sockets: Socket[] = [];

  before(async () => {
    node = await Dave.open({ listen: '127.0.0.1:0', verifyWorkers: 0 });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
  });
  after(() => node.close());

  async function listen(limits: Parameters<typeof ApiServer.listen>[0]['limits'], socketPath?: string): Promise<void> {
    const client = new LocalClient(node, { userKey: signingKey(new Uint8Array(32).fill(3)), ticket: () => 't' });
    server = await ApiServer.listen({ client, metrics: createMetrics(node), host: '127.0.0.1', port: 0, token: 'x', limits, socketPath });
  }

  it('the Unix socket has the same cap and deadlines: 200 idle local connections hold at most maxConnections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dave-sock-'));
    const path = join(dir, 'api.sock');
    try {
      await listen({ maxConnections: 16, idleTimeoutMs: 400 }, path);
      const local: Socket[] = [];
      let closedByServer = 0;
      for (let i = 0; i < 200; i++) {
        const s = await new Promise<Socket | null>((resolve) => {
          const c = connect({ path }, () => resolve(c));
          c.on('error', () => resolve(null));
        });
        if (s === null) continue;
        local.push(s);
        sockets.push(s);
        s.on('close', () => closedByServer++);
      }
      await new Promise((r) => setTimeout(r, 150));
      expect(await server.connections('socket')).to.be.at.most(16);
      expect(closedByServer).to.be.at.least(200 - 16);
      // the ones kept are idle: closed by the deadline, then the socket answers again
      const t0 = Date.now();
      while ((await server.connections('socket')) > 0 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 50));
      expect(await server.connections('socket')).to.equal(0);
      const res = await new Promise<number>((resolve, reject) => {
        const c = connect({ path }, () => c.write('GET /status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
        let text = '';
        c.on('data', (d) => (text += d));
        c.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
        c.on('error', reject);
      });
      expect(res).to.equal(200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('caps open connections: 300 idle ones from one client hold at most maxConnections (default 64)', async () => {
    await listen({});
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const s = await open(server.url).catch(() => null);
      if (s === null) refused++;
      else {
        sockets.push(s);
        s.on('close', () => refused++);
        s.on('error', () => {});
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await server.connections()).to.be.at.most(64);
    expect(refused).to.be.at.least(300 - 64);
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(server.url + '/status');
    expect(res.status).to.equal(200); // answers again once they are gone
  });

  it('closes a connection whose headers never end, and one whose body never comes', async () => {
    await listen({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 });
    const slowHeaders = await open(server.url);
    sockets.push(slowHeaders);
    slowHeaders.write('GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const slowBody = await open(server.url);
    sockets.push(slowBody);
    slowBody.on('error', () => {});
    slowBody.write('POST /dats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":');
    const [h, b] = await Promise.all([closed(slowHeaders), closed(slowBody)]);
    expect(h).to.be.below(3000);
    expect(b).to.be.below(3000);
  });

  it('closes an idle connection after idleTimeoutMs', async () => {
    await listen({ idleTimeoutMs: 300 });
    const s = await open(server.url);
    sockets.push(s);
    expect(await closed(s)).to.be.below(3000);
  });
});
