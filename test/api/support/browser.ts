/**
 * Test support: Debian's chromium (apt-get install -y chromium), headless,
 * driven by playwright-core through its executablePath, and Debian's
 * firefox-esr driven by puppeteer-core over WebDriver BiDi (playwright
 * drives only its own Firefox build); a fresh profile per launch. When a
 * browser cannot start, the suite fails under CI=true and skips with one
 * line elsewhere.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import puppeteer, { type Browser as PuppeteerBrowser } from 'puppeteer-core';

export const CHROMIUM = process.env.DAVE_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX = process.env.DAVE_FIREFOX ?? '/usr/bin/firefox-esr';

function unavailable(what: string, err: unknown): null {
  const line = (err as Error).message.split('\n')[0];
  if (process.env.CI === 'true') throw new Error(`the browser tests need ${what} and it did not start: ${line}`);
  console.log(`      skipped: the ${what} tests (${what} did not start: ${line})`);
  return null;
}

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
    return unavailable('chromium', err);
  }
}

export interface LaunchedFirefox {
  browser: PuppeteerBrowser;
  close(): Promise<void>;
}

/** Launches firefox-esr headless; null (after printing why) when it cannot start outside CI. */
export async function launchFirefox(): Promise<LaunchedFirefox | null> {
  const profile = mkdtempSync(join(tmpdir(), 'dave-firefox-'));
  try {
    if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} is missing (apt-get install -y firefox-esr)`);
    const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile, timeout: 60_000, args: ['--width=1280', '--height=1000'] });
    return {
      browser,
      async close() {
        await browser.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    return unavailable('firefox', err);
  }
}
