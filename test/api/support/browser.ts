/**
 * Test support: Debian's chromium (apt-get install -y chromium), headless,
 * driven by playwright-core through its executablePath, a fresh profile
 * per launch. When it cannot start, the suite fails under CI=true and
 * skips with one line elsewhere.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.DAVE_CHROMIUM ?? '/usr/bin/chromium';

export interface LaunchedBrowser {
  /** A persistent context on the fresh profile (playwright's way to pass --user-data-dir). */
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches chromium; null (after printing why) when it cannot start outside CI. */
export async function launchChromium(): Promise<LaunchedBrowser | null> {
  const profile = mkdtempSync(join(tmpdir(), 'dave-chromium-'));
  try {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    if (process.env.CI === 'true') throw new Error(`the browser tests need chromium and it did not start: ${(err as Error).message}`);
    console.log(`      skipped: the browser tests (chromium did not start: ${(err as Error).message.split('\n')[0]})`);
    return null;
  }
}
