/**
 * `npm run screenshot`: regenerates docs/images/web-page.png (desktop) and
 * docs/images/web-page-phone.png, the pictures of the node's web page in
 * the README and docs/api.md. Three real nodes on loopback, the first
 * serving the page; records written on the others and reads through the
 * API for half a minute so the charts have something to draw; then
 * Debian's chromium (apt-get install -y chromium) takes the pictures.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDat } from '../../lib/workers/create-dat.js';
import { createMemoryLevel } from '../../storage-adapters/memory-level.js';
import { launchChromium } from '../../test/api/support/browser.js';
import { WebNet } from '../../test/api/support/web-net.js';

declare const scrollTo: (x: number, y: number) => void; // runs in the page

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'images'); // from dist/docs/tools
const RUN_MS = Number(process.env.DAVE_SCREENSHOT_MS ?? 30_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const net = new WebNet();
const chromium = await launchChromium();
if (!chromium) process.exit(1);
try {
  const a = await net.openServed({ database: createMemoryLevel(), capacity: 256 * 1024 }, { intervalMs: 500, historyLength: 120 });
  const others = [await net.open({ edges: [a.node.address()] }), await net.open({ edges: [a.node.address()] })];
  await Promise.all(others.map((n) => n.waitForActivePeers(1)));
  const users = [1, 2, 3].map((i) => new Uint8Array(32).fill(20 + i));
  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(a.api.url + '/');
  const end = Date.now() + RUN_MS;
  let i = 0;
  let failed = 0;
  while (Date.now() < end) {
    const writer = others[i % 2]!;
    const user = users[i % 3]!;
    try {
      await writer.put(await createDat({ key: `sensor/${i % 17}`, value: `reading ${i}`, privateKey: user }));
      if (i % 2 === 0) await a.client.put(`notes/${i}`, `note ${i}`);
    } catch (err) {
      failed++; // a write that timed out on a busy machine: the picture does not need every one
      if (failed > 20) throw err;
    }
    await a.client.get('me', `notes/${i - (i % 2)}`).catch(() => null);
    i++;
    await sleep(150 + (i % 5) * 40);
  }
  await page.fill('#read-key', 'notes/0');
  await page.click('#read-form button[type=submit]');
  await page.locator('#read-out', { hasText: 'note 0' }).waitFor({ timeout: 10_000 });
  await sleep(1500);
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'web-page.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => scrollTo(0, 0));
  await sleep(800);
  await page.screenshot({ path: join(OUT, 'web-page-phone.png') });
  console.log(`wrote ${join(OUT, 'web-page.png')} and web-page-phone.png (${i} rounds of writes, ${failed} failed)`);
} finally {
  await chromium.close();
  await net.close();
}
