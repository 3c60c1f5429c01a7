/**
 * api/web: the page's files served from the node (index.html, its ES
 * modules, uPlot from the installed dependency), each under the strict
 * Content-Security-Policy; nothing else is reachable (no path from the
 * request reaches the disk); GET /owners; the page's files are the only
 * routes open without the token, /events is not one of them.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createDat } from '../../lib/workers/create-dat.js';
import { match } from '../../lib/api/routes.js';
import { CONTENT_SECURITY_POLICY } from '../../lib/api/web.js';
import { WebNet } from './support/web-net.js';
import { readSse } from './support/sse-reader.js';
import { cleanup, tempDir } from '../cli/helpers.js';
import { killAll, startNode, stopNode } from '../cli/dave-proc.js';

describe('api/web (the page and GET /owners)', function () {
  this.timeout(30_000);
  const net = new WebNet();
  let url: string;
  let served: Awaited<ReturnType<WebNet['openServed']>>;
  before(async () => {
    served = await net.openServed();
    url = served.api.url;
  });
  after(() => net.close());

  it('GET / is the page, with the CSP and the other security headers', async () => {
    const res = await fetch(url + '/');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).to.equal(CONTENT_SECURITY_POLICY);
    for (const d of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) expect(csp).to.contain(d);
    expect(csp).not.to.contain('unsafe');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-frame-options')).to.equal('DENY');
    expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
    const html = await res.text();
    expect(html).to.contain('<script type="module" src="/web/app.js">');
    expect(html).not.to.match(/<script>|style="|https?:\/\//);
  });

  it('serves the modules and uPlot from the installed package, as JavaScript', async () => {
    for (const p of ['/web/app.js', '/web/api.js', '/web/charts.js', '/web/style.css', '/web/vendor/uPlot.min.css']) {
      const res = await fetch(url + p);
      expect(res.status, p).to.equal(200);
      expect(res.headers.get('content-security-policy'), p).to.equal(CONTENT_SECURITY_POLICY);
    }
    const res = await fetch(url + '/web/vendor/uPlot.esm.js');
    expect(res.headers.get('content-type')).to.equal('text/javascript; charset=utf-8');
    const file = createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js');
    expect(await res.text()).to.equal(readFileSync(file, 'utf8'));
  });

  it('nothing else: traversal, encoded slashes, unknown names are 404 ERR_NO_ROUTE', async () => {
    for (const p of ['/web/../package.json', '/web/%2e%2e/package.json', '/web/..%2fpackage.json', '/web/vendor/../../package.json', '/web/nope.js', '/web/', '/index.html', '/web/vendor/uPlot.cjs.js']) {
      const res = await fetch(url + p);
      expect(res.status, p).to.equal(404);
      expect(((await res.json()) as { code: string }).code, p).to.equal('ERR_NO_ROUTE');
    }
    expect((await fetch(url + '/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).to.equal(405);
  });

  it('only the page files are open without the token; /events and /owners keep the API rules', () => {
    expect(match('GET', '/').route.asset).to.equal(true);
    expect(match('GET', '/web/app.js').route.asset).to.equal(true);
    expect(match('GET', '/events').route.asset).to.equal(undefined);
    expect(match('GET', '/owners').route.asset).to.equal(undefined);
    expect(match('GET', '/status').route.asset).to.equal(undefined);
  });

  it('GET /owners counts the records held by owner', async () => {
    const key = new Uint8Array(32).fill(5);
    for (const k of ['a', 'b']) await served.client.write(await createDat({ key: k, value: 'v', privateKey: key }));
    await served.client.put('mine', 'v');
    const res = await fetch(url + '/owners');
    const o = (await res.json()) as { owners: { owner: string; records: number }[]; scanned: number; approximate: boolean };
    expect(o.scanned).to.equal(3);
    expect(o.approximate).to.equal(false);
    expect(o.owners.map((x) => x.records)).to.deep.equal([2, 1]);
    expect(o.owners[1]!.owner).to.equal(Buffer.from(served.client.userPublicKey).toString('hex'));
  });

  it('`dave start --api` serves the page, uPlot and GET /events from the built package', async () => {
    const node = await startNode(['--listen', '127.0.0.1:0', '--data', `${tempDir()}/data`, '--api', '127.0.0.1:0']);
    try {
      const page = await fetch(node.api! + '/');
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain('/web/app.js');
      expect((await fetch(node.api! + '/web/vendor/uPlot.esm.js')).status).to.equal(200);
      const r = await readSse(node.api! + '/events');
      const hello = await r.next('hello');
      expect(hello.data.intervalMs).to.equal(1000);
      const tick = await r.next('tick', () => true, 5000);
      expect(tick.data.capacity).to.be.greaterThan(0);
      r.close();
    } finally {
      await stopNode(node);
      killAll();
      cleanup();
    }
  });
});
