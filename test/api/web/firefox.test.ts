/**
 * The node's web page in Firefox (Debian's firefox-esr, headless, driven
 * by puppeteer-core over WebDriver BiDi): the same page the chromium tests
 * exercise goes live, shows the node's and its peer's IDs and a record
 * read from another node, writes with the token, and raises no page error
 * or CSP violation. Under CI=true a Firefox that cannot start fails.
 */
import { expect } from 'chai';
import { idHex } from '../../../lib/api/views.js';
import { publicKeyFromSeed } from '../../../lib/crypto/ed25519.js';
import { createDat } from '../../../lib/workers/create-dat.js';
import { until } from '../../node/support/cluster.js';
import { type LaunchedFirefox, launchFirefox } from '../support/browser.js';
import { TOKEN, WebNet } from '../support/web-net.js';

declare const document: any; // in page callbacks

describe('api/web/page in firefox', function () {
  this.timeout(90_000);
  const net = new WebNet();
  let firefox: LaunchedFirefox | null = null;
  after(async () => {
    await firefox?.close();
    await net.close();
  });

  it("goes live, shows the node's and its peer's IDs, reads a record written elsewhere, writes with the token", async function () {
    firefox = await launchFirefox();
    if (!firefox) return this.skip();
    const a = await net.openServed({}, { intervalMs: 200 });
    const b = await net.open({ edges: [a.node.address()] });
    await until(() => a.node.peers().some((p) => p.id === b.id && p.active), 10_000, 'b proven at a');
    await b.waitForActivePeers(1);
    const user = new Uint8Array(32).fill(12);
    await b.put(await createDat({ key: 'ff', value: 'from b to firefox', privateKey: user }));
    const page = await firefox.browser.newPage();
    const problems: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));
    page.on('console', (m) => {
      if (/CSP|Content-Security-Policy/.test(m.text())) problems.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(a.api.url + '/')) outside.push(r.url());
    });
    await page.evaluateOnNewDocument(() => {
      document.addEventListener('securitypolicyviolation', (e: any) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(a.api.url + '/');
    const text = (sel: string) => page.$eval(sel, (e: any) => e.textContent as string);
    // page.evaluate, not waitForFunction: puppeteer rebuilds a waitForFunction
    // predicate with Function() inside the page, which the page's CSP (no
    // 'unsafe-eval') blocks in firefox-esr 140
    const inPage = (fn: () => boolean, ms: number, what: string) => until(() => page.evaluate(fn), ms, what);
    await inPage(() => document.getElementById('live').textContent === 'live', 15_000, 'the page live');
    expect(await text('#n-id')).to.equal(idHex(a.node.id));
    const bId = idHex(b.id);
    await until(() => page.evaluate((id: string) => [...document.querySelectorAll('#peer-table tbody td')].some((td: any) => td.textContent === id), bId), 10_000, "b's ID in the peer table");
    expect(await page.evaluate(() => document.querySelectorAll('#chart-records canvas').length)).to.equal(1);
    await page.type('#read-key', 'ff');
    await page.$eval('#read-owner', (e: any, v: string) => (e.value = v), Buffer.from(publicKeyFromSeed(user)).toString('hex'));
    await page.click('#read-form button[type=submit]');
    await inPage(() => document.getElementById('read-out').textContent.includes('from b to firefox'), 10_000, 'the record read');
    await page.type('#write-key', 'fox');
    await page.type('#write-value', 'esr');
    await page.click('#write-btn');
    await inPage(() => document.getElementById('write-out').textContent.includes('ERR_UNAUTHORIZED'), 10_000, 'the write refused');
    await page.type('#token-input', TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.click('#write-btn');
    await inPage(() => document.getElementById('write-out').textContent.includes('Written'), 10_000, 'the write done');
    expect((await a.client.get('me', 'fox'))?.value).to.equal('esr');
    expect(problems).to.deep.equal([]);
    expect(outside).to.deep.equal([]);
    await page.close();
  });
});
