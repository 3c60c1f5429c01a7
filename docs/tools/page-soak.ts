/**
 * `node dist/docs/tools/page-soak.js [seconds]`: an hour of the page in
 * fast motion. One node samples every 10 ms (100 ticks a second, so 36 s
 * hold the 3600 ticks of an hour), records arrive all along, and chromium
 * keeps the page open; every few seconds it prints the page's JS heap
 * (after a forced GC), its DOM size, the charts' points and how long a
 * click-to-answer read takes, so a leak or a page that stops answering
 * shows as a growing column.
 */
import { launchChromium } from '../../test/api/support/browser.js';
import { WebNet } from '../../test/api/support/web-net.js';

declare const document: any; // in page callbacks

const seconds = Number(process.argv[2] ?? 40);
const net = new WebNet();
const chromium = await launchChromium();
if (!chromium) process.exit(1);
try {
  const a = await net.openServed({}, { intervalMs: 10, historyLength: 300 });
  const page = await chromium.context.newPage();
  await page.goto(a.api.url + '/');
  await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10_000 });
  const hub = (a.api as unknown as { web: { events: { ticks: number } } }).web.events;
  const cdp = await page.context().newCDPSession(page);
  const end = Date.now() + seconds * 1000;
  let i = 0;
  let next = 0;
  console.log('ticks\tequiv. time\theap MB\tDOM elements\tpoints\tread ms');
  while (Date.now() < end) {
    await a.client.put(`soak/${i % 50}`, `value ${i++}`);
    if (Date.now() >= next) {
      next = Date.now() + 4000;
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
      const points = await page.evaluate(() => (globalThis as any).davePage.points());
      await page.fill('#read-key', `soak/${(i - 1) % 50}`);
      const t0 = performance.now();
      await page.click('#read-form button[type=submit]');
      await page.locator('#read-out', { hasText: 'Found' }).waitFor({ timeout: 10_000 });
      const readMs = performance.now() - t0;
      await page.evaluate(() => document.getElementById('read-out').replaceChildren());
      const min = Math.round(hub.ticks / 60);
      console.log(`${hub.ticks}\t${min} min\t${(usedSize / 1e6).toFixed(2)}\t${nodes}\t${points}\t${readMs.toFixed(0)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
} finally {
  await chromium.close();
  await net.close();
}
