/**
 * The API's gate (lib/api/guard.ts) against what a web page can make a
 * browser send: DNS rebinding (a foreign Host), a cross-site form post
 * (a form's Content-Type), cross-site writes (Origin, Sec-Fetch-Site);
 * and the requests the CLI, curl and the node's own page send, which pass.
 */
import { expect } from 'chai';
import { createDat } from '../../lib/workers/create-dat.js';
import { datToJson } from '../../lib/api/dat-json.js';
import { hostAllowed, hostName } from '../../lib/api/guard.js';
import { TOKEN, type Served, raw, serve } from './support/raw.js';

describe('api/guard', function () {
  this.timeout(20_000);

  describe('hostName and hostAllowed', () => {
    it('reads host[:port] and [v6][:port], refusing anything else', () => {
      expect(hostName('127.0.0.1:8080')).to.equal('127.0.0.1');
      expect(hostName('[::1]:8080')).to.equal('::1');
      expect(hostName('LocalHost')).to.equal('localhost');
      expect(hostName('dave.lan.:80')).to.equal('dave.lan');
      expect(hostName('')).to.equal(null);
      expect(hostName('a b')).to.equal(null);
      expect(hostName('[nothex]:1')).to.equal(null);
      expect(hostName('user@evil.example')).to.equal(null);
    });

    it('allows loopback, the bound address and names given; not other names', () => {
      const rule = { bound: '192.0.2.7', names: ['Dave.lan'] };
      for (const ok of ['localhost', '127.0.0.1', '127.8.9.10', '::1', '192.0.2.7', 'dave.lan']) expect(hostAllowed(ok, rule), ok).to.equal(true);
      for (const no of ['evil.example', 'localhost.evil.example', '192.0.2.8', '10.0.0.1', 'dave.lan.evil.example']) expect(hostAllowed(no, rule), no).to.equal(false);
    });

    it('bound to every interface, allows this host\'s own addresses but no name', () => {
      expect(hostAllowed('127.0.0.1', { bound: '0.0.0.0' })).to.equal(true);
      expect(hostAllowed('192.0.2.99', { bound: '::' })).to.equal(false); // not an address of this test host
      expect(hostAllowed('evil.example', { bound: '::' })).to.equal(false);
    });
  });

  describe('on a running API', () => {
    let s: Served;
    let v6: Served | undefined;
    before(async () => {
      s = await serve({ hosts: ['dave.lan'] });
      try {
        v6 = await serve({ host: '::1' });
      } catch {
        v6 = undefined; // no IPv6 loopback here: the [::1] case below says so
      }
    });
    after(async () => {
      await s?.close();
      await v6?.close();
    });

    it('answers a DNS-rebinding request (Host: evil.example) with 421 and reads nothing', async () => {
      for (const host of ['evil.example', `evil.example:${s.port}`, 'localhost.evil.example', '127.0.0.1.nip.io', '']) {
        for (const path of ['/status', '/records/me', '/backup', '/metrics', '/', '/events', '/nowhere']) {
          const r = await raw({ port: s.port }, 'GET', path, { host });
          expect([r.status, r.json?.code], `${host} ${path}`).to.deep.equal([421, 'ERR_HOST_NOT_ALLOWED']);
          expect(r.body).to.not.match(/publicKey/);
        }
      }
      // with the token too: the Host rule comes first
      const t = await raw({ port: s.port }, 'GET', '/status', { host: 'evil.example', authorization: `Bearer ${TOKEN}` });
      expect(t.status).to.equal(421);
    });

    it('serves localhost, 127.0.0.1:port, the bound address and a name given with --api-host', async () => {
      for (const host of ['localhost', `localhost:${s.port}`, `127.0.0.1:${s.port}`, '127.0.0.1', `dave.lan:${s.port}`, 'DAVE.LAN']) {
        const r = await raw({ port: s.port }, 'GET', '/status', { host });
        expect([r.status, host]).to.deep.equal([200, host]);
        expect(r.json!.publicKey).to.be.a('string');
      }
    });

    it('serves [::1]:port on an API bound to ::1', async function () {
      if (!v6) this.skip(); // no IPv6 loopback on this host
      const r = await raw({ port: v6.port, host: '::1' }, 'GET', '/status', { host: `[::1]:${v6.port}` });
      expect(r.status).to.equal(200);
      const bad = await raw({ port: v6.port, host: '::1' }, 'GET', '/status', { host: `evil.example:${v6.port}` });
      expect(bad.status).to.equal(421);
    });

    it('refuses a cross-site form post (415) and stores nothing', async () => {
      const dat = await createDat({ key: 'form', value: 'posted', privateKey: new Uint8Array(32).fill(3) });
      const before = s.node.recordCount();
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', undefined]) {
        const headers: Record<string, string> = { host: `127.0.0.1:${s.port}` };
        if (type) headers['content-type'] = type;
        const r = await raw({ port: s.port }, 'POST', '/dats', headers, JSON.stringify(datToJson(dat)));
        expect([r.status, r.json?.code], String(type)).to.deep.equal([415, 'ERR_UNSUPPORTED_MEDIA_TYPE']);
      }
      expect(s.node.recordCount()).to.equal(before);
      const empty = await raw({ port: s.port }, 'POST', '/records', { host: 'localhost', authorization: `Bearer ${TOKEN}`, 'content-length': '0' });
      expect(empty.status).to.equal(415);
    });

    it('refuses writes a browser marks as cross-site (Sec-Fetch-Site, Origin) with 403', async () => {
      const dat = await createDat({ key: 'xsite', value: 'v', privateKey: new Uint8Array(32).fill(4) });
      const body = JSON.stringify(datToJson(dat));
      const base = { host: `127.0.0.1:${s.port}`, 'content-type': 'application/json' };
      const extras: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }];
      for (const extra of extras) {
        const r = await raw({ port: s.port }, 'POST', '/dats', { ...base, ...extra }, body);
        expect([r.status, r.json?.code], JSON.stringify(extra)).to.deep.equal([403, 'ERR_CROSS_SITE']);
        const d = await raw({ port: s.port }, 'DELETE', '/records/k', { host: 'localhost', authorization: `Bearer ${TOKEN}`, ...extra });
        expect(d.status, JSON.stringify(extra)).to.equal(403);
      }
      expect(s.node.recordCount()).to.equal(0);
      // the node's own page (same origin) and scripts without these headers may write
      const own = await raw({ port: s.port }, 'POST', '/dats', { ...base, origin: `http://127.0.0.1:${s.port}`, 'sec-fetch-site': 'same-origin' }, body);
      expect(own.status, own.body).to.equal(201);
      // a cross-site read is still a read: answered (the browser keeps it from the page; no CORS header is sent)
      const read = await raw({ port: s.port }, 'GET', '/status', { host: 'localhost', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
      expect(read.status).to.equal(200);
      expect(read.headers['access-control-allow-origin']).to.equal(undefined);
    });

    it('takes application/json with a charset', async () => {
      const r = await raw(
        { port: s.port },
        'POST',
        '/records',
        { host: 'localhost', 'content-type': 'Application/JSON; charset=utf-8', authorization: `Bearer ${TOKEN}` },
        JSON.stringify({ key: 'k', value: 'v' }),
      );
      expect(r.status, r.body).to.equal(201);
    });
  });
});
