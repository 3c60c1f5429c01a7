/**
 * The node's web page in a real browser: Debian's chromium, headless,
 * driven by playwright-core (test/api/support/browser.ts), against real
 * nodes on loopback. The page shows the node's ID and its peers' IDs,
 * follows a peer joining and a record written on another node, reads that
 * record, writes one with the token (refused without, the code shown),
 * and stays readable at phone width, labelled and keyboard-usable. Every
 * request it makes stays on the node's origin and the CSP is never hit.
 * Under CI=true a browser that cannot start fails the suite.
 */
import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { Auth } from '../../../lib/api/auth.js';
import { idHex } from '../../../lib/api/views.js';
import { publicKeyFromSeed } from '../../../lib/crypto/ed25519.js';
import { createDat } from '../../../lib/workers/create-dat.js';
import type { Dave } from '../../../lib/node/dave.js';
import { until } from '../../node/support/cluster.js';
import { type LaunchedBrowser, launchChromium } from '../support/browser.js';
import { TOKEN, type WebNode, WebNet } from '../support/web-net.js';

// the few browser globals the page.evaluate() callbacks use (they run in the page, not here)
declare const document: any;
declare const sessionStorage: { getItem(k: string): string | null };
declare const getComputedStyle: (e: unknown) => any;
type HTMLInputElement = { labels: { length: number } | null; id: string };

const B_USER = new Uint8Array(32).fill(11);

/** Relative luminance contrast of two CSS rgb() colours (WCAG 2). */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((x) => {
      const v = Number(x) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe('api/web/page (the page in chromium)', function () {
  this.timeout(60_000);
  const net = new WebNet();
  let chromium: LaunchedBrowser | null = null;
  let a: WebNode;
  let b: Dave;
  const outside: string[] = [];
  const problems: string[] = [];

  before(async function () {
    chromium = await launchChromium();
    if (!chromium) return this.skip();
    a = await net.openServed({}, { intervalMs: 200 });
    b = await net.open({ edges: [a.node.address()] });
    await until(() => a.node.peers().some((p) => p.id === b.id && p.active), 10_000, 'b proven at a');
    await b.waitForActivePeers(1);
  });
  after(async () => {
    await chromium?.close();
    await net.close();
  });
  afterEach(() => {
    expect(outside, 'requests that left the origin').to.deep.equal([]);
    expect(problems, 'page errors and CSP violations').to.deep.equal([]);
  });

  async function open(width = 1280, height = 1000): Promise<Page> {
    const page = await chromium!.context.newPage();
    await page.setViewportSize({ width, height });
    page.on('request', (r) => {
      if (!r.url().startsWith(a.api.url + '/')) outside.push(r.url());
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e: any) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(a.api.url + '/');
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    return page;
  }

  it("shows the node's ID and keys, its peer's ID, and a peer that joins while the page is open", async () => {
    const page = await open();
    expect(await page.textContent('#n-id')).to.equal(idHex(a.node.id));
    expect(await page.textContent('#title-id')).to.equal(idHex(a.node.id));
    expect(await page.textContent('#n-ticket')).to.match(/^dave/);
    expect(await page.textContent('#n-version')).to.match(/^\d+\.\d+\.\d+/);
    await page.locator('#peer-table tbody td', { hasText: idHex(b.id) }).waitFor({ timeout: 5000 });
    expect(await page.isHidden('#no-peers')).to.equal(true);
    const c = await net.open({ edges: [a.node.address()] });
    await page.locator('#peer-table tbody td', { hasText: idHex(c.id) }).waitFor({ timeout: 10_000 });
    await page.locator('#log li', { hasText: c.address() }).first().waitFor({ timeout: 5000 });
    // sortable: the ID header sorts by ID, then reverses
    await page.click('#peer-table th button[data-key="id"]');
    expect(await page.getAttribute('#peer-table th:nth-child(2)', 'aria-sort')).to.equal('ascending');
    const ids = await page.$$eval('#peer-table tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
    expect(ids).to.deep.equal([...ids].sort());
    await page.click('#peer-table th button[data-key="id"]');
    const desc = await page.$$eval('#peer-table tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent));
    expect(desc).to.deep.equal([...ids].reverse());
    // charts drawn by uPlot on canvases
    expect(await page.locator('#chart-packets canvas').count()).to.equal(1);
    await page.close();
  });

  it('follows a record written on another node, and reads it with its time and replicas', async () => {
    const page = await open();
    const before = Number(await page.textContent('#s-records'));
    await b.put(await createDat({ key: 'from-b', value: 'hello from b', privateKey: B_USER }));
    await page.locator('#log li', { hasText: 'stored' }).first().waitFor({ timeout: 10_000 });
    await until(async () => Number(await page.textContent('#s-records')) > before, 5000, 'the record count to grow');
    await page.fill('#read-owner', Buffer.from(publicKeyFromSeed(B_USER)).toString('hex'));
    await page.fill('#read-key', 'from-b');
    await page.click('#read-form button[type=submit]');
    await page.locator('#read-out', { hasText: 'hello from b' }).waitFor({ timeout: 5000 });
    const text = (await page.textContent('#read-out'))!;
    expect(text).to.contain('Replicas');
    expect(text).to.match(/Time\d{4}-\d\d-\d\dT/);
    // unknown key: the code is shown
    await page.fill('#read-key', 'nobody-wrote-this');
    await page.click('#read-form button[type=submit]');
    await page.locator('#read-out', { hasText: 'ERR_NOT_FOUND' }).waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('writes with the token only: refused without (ERR_UNAUTHORIZED shown), asks once, keeps it in sessionStorage, lists and pages', async () => {
    const page = await open();
    const writes: { method: string; url: string; type?: string; auth?: string }[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') writes.push({ method: r.method(), url: r.url(), type: r.headers()['content-type'], auth: r.headers()['authorization'] });
    });
    await page.fill('#write-key', 'colour');
    await page.fill('#write-value', 'blue');
    await page.click('#write-btn');
    await page.locator('#write-out', { hasText: 'ERR_UNAUTHORIZED' }).waitFor({ timeout: 5000 });
    expect(await page.isVisible('#token-form')).to.equal(true);
    expect(await a.client.list('me')).to.deep.include({ records: [] });
    await page.fill('#token-input', TOKEN);
    await page.press('#token-input', 'Enter');
    await page.click('#write-btn');
    await page.locator('#write-out', { hasText: 'Written' }).waitFor({ timeout: 10_000 });
    expect((await a.client.get('me', 'colour'))?.value).to.equal('blue');
    expect(await page.evaluate(() => sessionStorage.getItem('dave.apiToken'))).to.equal(TOKEN);
    expect(page.url()).not.to.contain(TOKEN);
    // a refusal from the node: a key over 255 bytes
    await page.fill('#write-key', 'k'.repeat(300));
    await page.click('#write-btn');
    await page.locator('#write-out', { hasText: 'ERR_TOO_LARGE' }).waitFor({ timeout: 5000 });
    // delete, then list with paging
    await page.fill('#write-key', 'colour');
    await page.click('#delete-btn');
    await page.locator('#write-out', { hasText: 'Deleted' }).waitFor({ timeout: 10_000 });
    expect(writes.map((w) => w.method)).to.deep.equal(['POST', 'POST', 'POST', 'DELETE']);
    expect(writes.every((w) => w.type === 'application/json')).to.equal(true);
    expect(writes.map((w) => w.auth)).to.deep.equal([undefined, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(writes.every((w) => !w.url.includes(TOKEN))).to.equal(true);
    for (const k of ['fruit/apple', 'fruit/banana', 'fruit/cherry']) await a.client.put(k, k.slice(6));
    await page.fill('#list-prefix', 'fruit/');
    await page.fill('#list-limit', '2');
    await page.click('#list-form button[type=submit]');
    await page.locator('#list-table td', { hasText: 'fruit/banana' }).waitFor({ timeout: 5000 });
    expect(await page.locator('#list-table tbody tr').count()).to.equal(2);
    await page.click('#list-next');
    await page.locator('#list-table td', { hasText: 'fruit/cherry' }).waitFor({ timeout: 5000 });
    expect(await page.locator('#list-table tbody tr').count()).to.equal(1);
    expect(await page.isHidden('#list-next')).to.equal(true);
    // a new tab does not have it
    const other = await open();
    expect(await other.evaluate(() => sessionStorage.getItem('dave.apiToken'))).to.equal(null);
    await other.close();
    await page.close();
  });

  it('at phone width: no sideways scroll of the page; every field labelled; keyboard reaches the forms; text contrast at least 4.5:1, light and dark', async () => {
    const page = await open(375, 800);
    const overflow = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('body *')]
        .filter((e: any) => e.getBoundingClientRect().right > w + 0.5 && !e.closest('.scroll'))
        .map((e: any) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
      return { by: document.documentElement.scrollWidth - w, wide: wide.slice(0, 8) };
    });
    expect(overflow.by, `wider than the window: ${overflow.wide.join(', ')}`).to.be.at.most(0);
    const unlabelled = await page.$$eval('input, textarea', (els) => els.filter((e) => (e as unknown as HTMLInputElement).labels?.length === 0).map((e) => e.id));
    expect(unlabelled).to.deep.equal([]);
    const unnamed = await page.$$eval('button', (els) => els.filter((e) => !e.textContent?.trim()).length);
    expect(unnamed).to.equal(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.contain('Skip');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('read-owner');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const pairs = await page.evaluate(() => {
        const bg = getComputedStyle(document.querySelector('section')!).backgroundColor;
        const out: [string, string, string][] = [];
        for (const sel of ['h2', '.facts dt', '.facts dd', '.small', 'th button', 'label', 'button[type=submit]', '#copy-ticket']) {
          const e = document.querySelector(sel)!;
          const s = getComputedStyle(e);
          const own = s.backgroundColor;
          out.push([sel, s.color, own === 'rgba(0, 0, 0, 0)' ? bg : own]);
        }
        return out;
      });
      for (const [sel, fg, bg] of pairs) expect(contrast(fg, bg), `${scheme}: ${sel}: ${fg} on ${bg}`).to.be.at.least(4.5);
      expect(pairs[0]![2], 'the section background follows the scheme').to.equal(scheme === 'dark' ? 'rgb(31, 31, 31)' : 'rgb(255, 255, 255)');
    }
    await page.close();
  });

  it('shows the store health /status reports, and follows a health event when it changes', async () => {
    const served = await net.openServed({}, { intervalMs: 100 });
    const status = served.client.status.bind(served.client);
    let health: unknown = { state: 'ok', lastError: null, since: null };
    served.client.status = async () => ({ ...(await status()), storeHealth: health as never });
    const page = await chromium!.context.newPage();
    await page.goto(served.api.url + '/');
    await page.locator('#n-health', { hasText: 'ok' }).waitFor({ timeout: 10_000 });
    expect(await page.getAttribute('#n-health', 'class')).to.equal('health-ok');
    health = { state: 'degraded', lastError: { code: 'ERR_DATABASE', message: 'disk full' }, since: '2026-12-02T06:00:00.000Z' };
    await page.locator('#n-health', { hasText: 'degraded' }).waitFor({ timeout: 10_000 });
    expect(await page.textContent('#n-health')).to.equal('degraded · last error: ERR_DATABASE · since 2026-12-02T06:00:00.000Z');
    expect(await page.getAttribute('#n-health', 'class')).to.equal('health-bad');
    await page.locator('#log li', { hasText: 'health' }).first().waitFor({ timeout: 5000 });
    await page.close();
  });

  it('off loopback (every request needs the token): the page loads, asks for the token, then reads and goes live with it', async () => {
    // the rule of a server bound beyond loopback (auth.ts), on this loopback server
    const check = Auth.prototype.check;
    const strict = new Auth(TOKEN, false);
    Auth.prototype.check = function (req, signs) {
      return check.call(strict, req, signs);
    };
    try {
      const page = await chromium!.context.newPage();
      const denied: string[] = [];
      page.on('response', (r) => {
        if (r.status() === 401) denied.push(new URL(r.url()).pathname);
      });
      await page.goto(a.api.url + '/');
      await page.locator('#token-form').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.textContent('#token-why')).to.contain('token');
      expect(await page.textContent('#n-id')).to.equal('…');
      expect(denied).to.include('/status');
      await page.fill('#token-input', TOKEN);
      await page.press('#token-input', 'Enter');
      await page.locator('#n-id', { hasText: idHex(a.node.id) }).waitFor({ timeout: 10_000 });
      await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10_000 });
      await page.locator('#peer-table tbody td', { hasText: idHex(b.id) }).waitFor({ timeout: 10_000 });
      await page.close();
    } finally {
      Auth.prototype.check = check;
    }
  });

  it('its CSP stops a script, an image or a fetch of another origin before any request is sent', async () => {
    let hits = 0;
    const other = createServer((_q, res) => {
      hits++;
      res.end('x');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const page = await open();
      const result = await page.evaluate(async (origin: string) => {
        const seen: string[] = [];
        document.addEventListener('securitypolicyviolation', (e: any) => seen.push(e.violatedDirective));
        const img = document.createElement('img');
        img.src = `${origin}/x.png`;
        document.body.append(img);
        const script = document.createElement('script');
        script.src = `${origin}/x.js`;
        document.head.append(script);
        const inline = document.createElement('script');
        inline.textContent = 'window.inlineRan = true';
        document.head.append(inline);
        let fetched = 'no';
        try {
          await fetch(`${origin}/x`);
          fetched = 'yes';
        } catch {
          fetched = 'refused';
        }
        await new Promise((r) => setTimeout(r, 300));
        return { seen, fetched, inlineRan: (globalThis as any).inlineRan === true };
      }, elsewhere);
      expect(result.fetched).to.equal('refused');
      expect(result.inlineRan).to.equal(false);
      expect(result.seen).to.include.members(['img-src', 'script-src-elem', 'connect-src']);
      expect(hits).to.equal(0);
      await page.close();
    } finally {
      outside.length = 0; // the blocked attempts above, by design
      problems.length = 0;
      await new Promise((r) => other.close(r));
    }
  });

  it('an open page keeps a fixed window: 40 points per chart, at most 50 log lines, after hundreds of ticks', async () => {
    const fast = await net.openServed({}, { intervalMs: 10, historyLength: 40 });
    const page = await chromium!.context.newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(fast.api.url + '/');
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    // alone: the page says how to join
    expect(await page.isVisible('#no-peers')).to.equal(true);
    expect(await page.textContent('#no-peers')).to.contain('dave start --edge TICKET');
    const sample = async () => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      await cdp.detach();
      return { heap: usedSize, nodes: await page.evaluate(() => document.getElementsByTagName('*').length), ticks: fast.api['web'].events.ticks };
    };
    await new Promise((r) => setTimeout(r, 1500));
    const first = await sample();
    for (let i = 0; i < 60; i++) await fast.client.put(`k${i}`, 'v'); // stored events fill the log
    await new Promise((r) => setTimeout(r, 3000));
    const second = await sample();
    expect(second.ticks - first.ticks, 'ticks sampled meanwhile').to.be.at.least(100);
    expect(await page.evaluate(() => (globalThis as any).davePage.points())).to.equal(40);
    expect(await page.evaluate(() => (globalThis as any).davePage.logSize())).to.be.at.most(50);
    expect(second.nodes - first.nodes, 'DOM elements added').to.be.at.most(60);
    expect(second.heap - first.heap, `heap ${first.heap} → ${second.heap}`).to.be.below(2 * 1024 * 1024);
    await page.close();
  });
});
