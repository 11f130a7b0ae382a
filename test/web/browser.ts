import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run). */
export const CHROMIUM = process.env.EXEC_TRACK_CHROMIUM ?? '/usr/bin/chromium';

/** Where the web tests save screenshots (git-ignored). */
export const SCREENSHOTS = resolve(import.meta.dirname, '../../.tmp/screenshots');

/** A headless Chromium with a fresh profile; `close` ends it and removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  /** A second context that prefers dark mode. */
  dark: () => Promise<BrowserContext>;
  close: () => Promise<void>;
}

/** Launches Chromium headless, sandbox off (root in CI), no background traffic, in a fresh user-data dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'exec-track-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  let extra: Browser | undefined;
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    dark: async () => {
      extra ??= await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
      });
      return extra.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 900 } });
    },
    close: async () => {
      await extra?.close();
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A test file's `serve` and browser ({@link servedInBrowser}); `server` may be replaced (a restart on the same port). */
export interface WebFixture {
  home: ReturnType<typeof tempHome>;
  server: ServerProcess;
  browser: TestBrowser;
}

/**
 * Starts a `serve` with `args` on a temp home and a browser before the file's tests, and stops both
 * after them. The returned object is filled in `beforeAll`: read its fields inside tests only.
 */
export function servedInBrowser(args: string[] = [], timeoutMs = 60_000): WebFixture {
  const web = {} as WebFixture;
  beforeAll(async () => {
    web.home = tempHome();
    web.server = await startServer({ home: web.home.dir, args });
    web.browser = await launchBrowser();
  }, timeoutMs);
  afterAll(async () => {
    await web.browser?.close();
    await web.server?.stop();
    web.home?.cleanup();
  });
  return web;
}
