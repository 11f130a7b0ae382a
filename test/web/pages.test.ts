import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { SOAK } from '../helpers/soak.js';
import { launchBrowser, SCREENSHOTS, type TestBrowser } from './browser.js';

const TRAIN = resolve(import.meta.dirname, '../../examples/train.py');
const EPOCHS = 6;

/** A browser under a loaded machine may take seconds: poll up to 20 s unless told otherwise. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 20_000, ...options });

let home: { dir: string; cleanup: () => void };
let server: ServerProcess;
let browser: TestBrowser;
let page: Page;
let sessionId: string;
let trainId: string;
let failId: string;
let scriptId: string;

interface SessionDoc {
  session: { id: string };
  executions: Array<{ id: string; command: string[]; state: string }>;
}

const sessionDoc = async (): Promise<SessionDoc> =>
  JSON.parse((await runCli(['report', '--json', '--server', server.url], { home: home.dir })).out) as SessionDoc;

beforeAll(async () => {
  home = tempHome();
  server = await startServer({ home: home.dir });
  const run = (args: string[]) => runCli(['run', '--quiet', '--server', server.url, '--', ...args], { home: home.dir });
  // resource samples every 100 ms (the shortest): the pages keep them apart from the run's own metrics
  expect(
    (
      await runCli(['run', '--quiet', '--sample', '100ms', '--server', server.url, '--', 'python3', TRAIN, '--epochs', String(EPOCHS), '--delay', '0.1'], {
        home: home.dir,
      })
    ).exitCode,
  ).toBe(0);
  expect((await run(['python3', TRAIN, '--epochs', '4', '--delay', '0.02', '--fail'])).exitCode).toBe(1);
  expect((await run(['sh', '-c', 'echo "<script>window.pwned = 1</script>"'])).exitCode).toBe(0);
  const doc = await sessionDoc();
  sessionId = doc.session.id;
  [trainId, failId, scriptId] = doc.executions.map((e) => e.id) as [string, string, string];
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  home?.cleanup();
});

/**
 * Saves full-page screenshots of `path` under .tmp/screenshots/, checking that every chart draws in
 * each: light at 1280 px and dark at 390 px (both schemes, both widths; docs/img's README pictures
 * come from these), and in `npm run soak` (test/helpers/soak.ts) the other two pairs as well.
 */
async function screenshots(path: string, name: string, ready: string): Promise<void> {
  const dark = await browser.dark();
  for (const [context, scheme, widths] of [
    [browser.context, 'light', SOAK ? [1280, 390] : [1280]],
    [dark, 'dark', SOAK ? [1280, 390] : [390]],
  ] as Array<[BrowserContext, string, number[]]>) {
    for (const width of widths) {
      const shot = await context.newPage();
      await shot.setViewportSize({ width, height: 900 });
      await shot.goto(`${server.url}${path}`);
      await shot.locator(ready).first().waitFor();
      // charts render when scrolled into view: bring each one in before the full-page shot
      for (const figure of await shot.locator('figure.chart').all()) {
        await figure.scrollIntoViewIfNeeded();
        await poll(() => figure.getAttribute('data-points')).not.toBeNull();
      }
      await shot.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}-${width}.png`), fullPage: true });
      await shot.close();
    }
  }
  await dark.close();
}

describe('web pages', () => {
  it('shows the session table with one row per execution, state badges and the last metric values', async () => {
    await page.goto(`${server.url}/s/${sessionId}`);
    const rows = page.locator('table.executions tbody tr');
    await poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).locator('.state').textContent()).toBe('Passive');
    expect(await rows.nth(1).locator('.state').textContent()).toBe('Execution crushed');
    const headers = await page.locator('table.executions thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['loss', 'acc']));
    expect(headers.filter((h) => h.startsWith('sys/'))).toEqual([]);
    await page.locator('select[aria-label="Filter by state"]').selectOption('Execution crushed');
    await poll(() => rows.count()).toBe(1);
    await screenshots(`/s/${sessionId}`, 'session', 'table.executions tbody tr time');
  }, 120_000);

  it('compares selected executions: one chart per metric with both overlaid', async () => {
    await page.goto(`${server.url}/s/${sessionId}`);
    await page.locator(`tr[data-id="${trainId}"] input[type=checkbox]`).check();
    await page.locator(`tr[data-id="${failId}"] input[type=checkbox]`).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    const loss = page.locator('#compare figure.chart[data-key="loss"]');
    await poll(() => loss.getAttribute('data-points')).toBe(String(EPOCHS + 2));
    expect(await loss.locator('.u-legend .u-series').count()).toBe(3);
  });

  it('shows an execution: badge, loss chart with every point, the log, search, permalink and raw download', async () => {
    await page.goto(`${server.url}/e/${trainId}`);
    expect(await page.locator('h1 .state').textContent()).toBe('Passive');
    const loss = page.locator('figure.chart[data-key="loss"]');
    await loss.scrollIntoViewIfNeeded();
    await poll(() => loss.getAttribute('data-points')).toBe(String(EPOCHS));
    // the run's own charts first; the wrapper's resource samples under their own heading
    expect(await page.locator('.charts:not(.system) figure.chart').evaluateAll((fs) => fs.map((f) => (f as HTMLElement).dataset.key))).toEqual([
      'acc',
      'epoch',
      'loss',
    ]);
    expect(await page.locator('h3.system').textContent()).toBe('Resources (sampled by exec-track)');
    expect(await page.locator('.charts.system figure.chart[data-key="sys/rss_bytes"]').count()).toBe(1);
    await poll(() => page.locator('#log-view li .tx').allTextContents()).toContainEqual(expect.stringMatching(/^epoch=1 loss=[\d.]+ acc=[\d.]+$/));
    expect(await page.locator('#log-view li.err').count()).toBeGreaterThan(0);

    await page.getByRole('searchbox', { name: 'Search the log' }).fill('WARNING');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('.hit-count').textContent()).toBe('1 of 1 hit');
    expect(await page.locator('#log-view li.target .tx').textContent()).toMatch(/^warning: /);

    await page.goto(`${server.url}/e/${trainId}#L6`);
    await poll(() => page.locator('#log-view li.target').getAttribute('id')).toBe('L6');

    const raw = await page.request.get(`${server.url}/api/v1/executions/${trainId}/raw`);
    expect(raw.headers()['content-type']).toBe('text/plain; charset=utf-8');
    const text = await raw.text();
    expect(text.split('\n')[0]).toBe(`training for ${EPOCHS} epochs (learning rate 0.01, batch size 32)`);
    expect(text).toContain(`epoch=${EPOCHS} loss=`);
    await screenshots(`/e/${trainId}`, 'execution', 'figure.chart[data-points]');
  }, 120_000);

  it('keeps <script> in the output as text', async () => {
    await page.goto(`${server.url}/e/${scriptId}`);
    await poll(() => page.locator('#log-view li .tx').first().textContent()).toBe('<script>window.pwned = 1</script>');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('answers unknown and malformed ids with the same 404 page', async () => {
    const unknown = await page.goto(`${server.url}/e/e_AAAAAAAAAAAAAAAAAAAAAA`);
    const unknownBody = await page.content();
    const malformed = await page.goto(`${server.url}/s/nonsense`);
    expect(unknown?.status()).toBe(404);
    expect(malformed?.status()).toBe(404);
    expect(await page.content()).toBe(unknownBody);
    expect(await page.locator('h1').textContent()).toBe('Nothing here');
  });

  it("shows a running child's new line without reload, and the badge turns Passive", async () => {
    const gate = join(home.dir, 'gate');
    const ending = join(home.dir, 'ending');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        '--quiet',
        '--sample',
        '100ms',
        '--server',
        server.url,
        '--',
        'sh',
        '-c',
        `echo first; while [ ! -f '${gate}' ]; do sleep 0.05; done; echo second; while [ ! -f '${ending}' ]; do sleep 0.05; done`,
      ],
      {
        env: cliEnv(home.dir),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const done = collect(child);
    let id = '';
    await poll(
      async () => {
        const doc = await sessionDoc();
        const e = doc.executions.find((x) => x.command.includes('sh') && x.state === 'Running');
        id = e?.id ?? '';
        return id;
      },
      { timeout: 20_000 },
    ).not.toBe('');
    await page.goto(`${server.url}/e/${id}`);
    expect(await page.locator('h1 .state').textContent()).toBe('Running');
    await poll(() => page.locator('#log-view li .tx').allTextContents()).toContain('first');
    // resource samples arriving live go under their heading, not among the run's own charts
    await poll(() => page.locator('.charts.system figure.chart[data-key="sys/rss_bytes"]').count()).toBe(1);
    expect(await page.locator('.charts:not(.system) figure.chart').count()).toBe(0);
    writeFileSync(gate, '');
    await poll(() => page.locator('#log-view li .tx').allTextContents(), { timeout: 20_000 }).toContain('second');
    // still running: the heading counts the live line
    await poll(() => page.locator('.log h2 small').textContent()).toBe('2 lines');
    expect(await page.locator('h1 .state').textContent()).toBe('Running');
    writeFileSync(ending, '');
    await poll(() => page.locator('h1 .state').textContent(), { timeout: 20_000 }).toBe('Passive');
    expect((await done).exitCode).toBe(0);
  });
});
