import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli } from '../helpers/cli.js';
import { SCREENSHOTS, servedInBrowser } from './browser.js';

/** A browser under a loaded machine may take seconds: poll up to 20 s unless told otherwise. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 20_000, ...options });

const TRAIN = resolve(import.meta.dirname, '../../examples/train.py');
const web = servedInBrowser();

/** Executions of the session `charts`, in the order they ran: two named, two shown by id prefix. */
let sessionId: string;
let ids: { zeta: string; unnamed: string; alpha: string; echo: string };

/** Runs `exec-track run` into session `charts`, resources sampled every 100 ms (the `sys/…` keys); resolves with the id. */
async function run(args: string[]): Promise<string> {
  const ran = await runCli(['run', '--quiet', '--sample', '100ms', '--session', 'charts', '--server', web.server.url, ...args], { home: web.home.dir });
  expect(ran.exitCode).not.toBeNull();
  const doc = JSON.parse((await runCli(['report', '--json', '--server', web.server.url], { home: web.home.dir })).out) as {
    session: { id: string };
    executions: Array<{ id: string }>;
  };
  sessionId = doc.session.id;
  return doc.executions.at(-1)!.id;
}

beforeAll(async () => {
  ids = {
    zeta: await run(['--name', 'zeta', '--', 'python3', TRAIN, '--epochs', '6', '--delay', '0.1']),
    unnamed: await run(['--', 'python3', TRAIN, '--epochs', '3', '--delay', '0.1']),
    alpha: await run(['--name', 'alpha', '--', 'python3', TRAIN, '--epochs', '2', '--delay', '0.1']),
    echo: await run(['--', 'sh', '-c', 'echo hello']),
  };
}, 120_000);

/**
 * The requests of `page` that the server counts against the per-IP limit (pages, API calls,
 * socket upgrades; not `/assets/…`, `/favicon.ico`, `/robots.txt`), as `path?query`.
 */
function countedRequests(page: Page): string[] {
  const counted: string[] = [];
  const add = (url: string) => {
    const { pathname, search } = new URL(url);
    if (!pathname.startsWith('/assets/') && pathname !== '/favicon.ico' && pathname !== '/robots.txt') counted.push(`${pathname}${search}`);
  };
  page.on('request', (request) => add(request.url()));
  page.on('websocket', (socket) => add(socket.url()));
  return counted;
}

/** Brings every chart of the page into view and waits until each has drawn its points. */
async function drawAll(page: Page, within = 'body'): Promise<void> {
  for (const figure of await page.locator(`${within} figure.chart`).all()) {
    await figure.scrollIntoViewIfNeeded();
    await poll(() => figure.getAttribute('data-points')).not.toBeNull();
  }
}

/** A page that records every text drawn on a canvas with its left and right edge (CSS pixels of the canvas' own backing store). */
async function recordingPage(width = 1280): Promise<Page> {
  const page = await web.browser.context.newPage();
  await page.setViewportSize({ width, height: 844 });
  await page.addInitScript(() => {
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    const drawn: Array<{ canvas: HTMLCanvasElement; text: string; left: number; right: number }> = [];
    (window as unknown as { drawn: typeof drawn }).drawn = drawn;
    CanvasRenderingContext2D.prototype.fillText = function (text: string, x: number, y: number, maxWidth?: number) {
      const width = this.measureText(text).width;
      const left = this.textAlign === 'right' || this.textAlign === 'end' ? x - width : this.textAlign === 'center' ? x - width / 2 : x;
      drawn.push({ canvas: this.canvas, text, left, right: left + width });
      fillText.call(this, text, x, y, maxWidth);
    };
  });
  return page;
}

describe('charts and tables of the web pages (issue 11)', () => {
  it('loads an execution page with 7 metric keys in at most 5 counted requests: one points request for every chart', async () => {
    const page = await web.browser.context.newPage();
    const counted = countedRequests(page);
    await page.goto(`${web.server.url}/e/${ids.zeta}`);
    expect(await page.locator('figure.chart').count()).toBe(7);
    await drawAll(page);
    await poll(() => page.locator('#log-view li .tx').allTextContents()).toContainEqual(expect.stringMatching(/^done: /));
    expect(counted.filter((r) => r.includes('/points?'))).toHaveLength(1);
    expect(counted.length, counted.join('\n')).toBeLessThanOrEqual(5);
    // each chart has its own series
    expect(await page.locator('figure.chart[data-key="loss"]').getAttribute('data-points')).toBe('6');
    await page.close();
  });

  it('compares with one points request per selected execution, the chart tools above the charts', async () => {
    const page = await web.browser.context.newPage();
    await page.goto(`${web.server.url}/s/${sessionId}`);
    for (const id of [ids.zeta, ids.unnamed, ids.alpha]) await page.locator(`tr[data-id="${id}"] input[type=checkbox]`).check();
    const counted = countedRequests(page);
    await page.getByRole('button', { name: 'Compare selected' }).click();
    await drawAll(page, '#compare');
    // the tools are a row of their own above the grid, whose first cell is a chart
    expect(await page.locator('#compare > .chart-tools + .charts').count()).toBe(1);
    expect(await page.locator('#compare .charts > :first-child').evaluate((n) => n.tagName)).toBe('FIGURE');
    const [grid, first] = await Promise.all([page.locator('#compare .charts').boundingBox(), page.locator('#compare figure.chart').first().boundingBox()]);
    expect(first!.x).toBe(grid!.x);
    expect(await page.locator('#compare figure.chart').count()).toBe(7);
    const reads = counted.filter((r) => r.includes('/points?')).map((r) => /\/executions\/([^/]+)\/points/.exec(r)![1]);
    expect(reads.sort()).toEqual([ids.zeta, ids.unnamed, ids.alpha].sort());
    await poll(() => page.locator('#compare figure.chart[data-key="loss"]').getAttribute('data-points')).toBe(String(6 + 3 + 2));
    await page.screenshot({ path: join(SCREENSHOTS, 'compare-1280.png'), fullPage: true });
    await page.close();
  });

  it('fits a 390 px wide phone: wide tables, code and charts scroll or shrink inside their own boxes', async () => {
    const page = await web.browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.goto(`${web.server.url}/e/${ids.zeta}`);
    await drawAll(page);
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'charts-execution-390.png'), fullPage: true });
    await page.goto(`${web.server.url}/s/${sessionId}`);
    await poll(() => page.locator('table.executions tbody tr').count()).toBe(4);
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    for (const id of [ids.zeta, ids.alpha]) await page.locator(`tr[data-id="${id}"] input[type=checkbox]`).check();
    await page.getByRole('button', { name: 'Compare selected' }).click();
    await drawAll(page, '#compare');
    expect(await pageWidth()).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'charts-session-390.png'), fullPage: true });
    await page.close();
  });

  it('sizes the y axis to its labels, which are compact (binary units for bytes)', async () => {
    const page = await recordingPage();
    await page.goto(`${web.server.url}/e/${ids.zeta}`);
    await drawAll(page);
    const labels = (key: string) =>
      page
        .locator(`figure.chart[data-key="${key}"] canvas`)
        .evaluate((canvas) =>
          (window as unknown as { drawn: Array<{ canvas: HTMLCanvasElement; text: string; left: number; right: number }> }).drawn
            .filter((d) => d.canvas === canvas)
            .map(({ text, left, right }) => ({ text, left, right, width: canvas.width })),
        );
    for (const key of ['sys/rss_bytes', 'sys/read_bytes', 'sys/cpu_pct', 'loss']) {
      for (const l of await labels(key)) {
        // drawn whole inside the canvas: not cut at its left edge
        expect(l.left, `${key}: ${l.text}`).toBeGreaterThanOrEqual(0);
        expect(l.right, `${key}: ${l.text}`).toBeLessThanOrEqual(l.width);
      }
    }
    const yLabels = (await labels('sys/rss_bytes')).filter((l) => / (B|KiB|MiB|GiB)$/.test(l.text)).map((l) => l.text);
    expect(yLabels.length).toBeGreaterThanOrEqual(2);
    expect(yLabels.some((t) => t.endsWith(' MiB'))).toBe(true);
    await page.locator('.charts.system').screenshot({ path: join(SCREENSHOTS, 'charts-resources-1280.png') });
    await page.close();
  });

  it('redraws the charts at the width of their boxes when the window narrows', async () => {
    const page = await web.browser.context.newPage();
    await page.goto(`${web.server.url}/e/${ids.zeta}`);
    await drawAll(page);
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () =>
      page
        .locator('figure.chart')
        .evaluateAll((figures) => figures.map((f) => Math.round(f.querySelector('canvas')!.getBoundingClientRect().width - (f as HTMLElement).clientWidth)));
    await poll(async () => (await overflow()).every((px) => px <= 0)).toBe(true);
    await page.close();
  });

  it('sorts the session table by what each cell shows, in both directions', async () => {
    const page = await web.browser.context.newPage();
    await page.goto(`${web.server.url}/s/${sessionId}`);
    const rows = page.locator('table.executions tbody tr');
    await poll(() => rows.count()).toBe(4);
    const column = (n: number) => rows.evaluateAll((trs, i) => trs.map((tr) => (tr as HTMLTableRowElement).cells[i]!.textContent!), n);
    const sorted = (texts: string[]) => [...texts].sort((a, b) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }));
    const names = await column(2);
    expect(names.filter((n) => n.startsWith('e_'))).toHaveLength(2);
    const header = (name: string) => page.locator('table.executions thead th button', { hasText: new RegExp(`^${name}$`) });

    await header('name').click();
    expect(await column(2)).toEqual(sorted(names));
    await header('name').click();
    expect(await column(2)).toEqual(sorted(names).reverse());

    const commands = await column(3);
    await header('command').click();
    expect(await column(3)).toEqual(sorted(commands));
    expect(await column(3)).not.toEqual(commands);
    await header('command').click();
    expect(await column(3)).toEqual(sorted(commands).reverse());
    await page.close();
  });

  it('keeps live pages current: the metric summary from live points, the duration of running executions', async () => {
    const gate = join(web.home.dir, 'live-gate');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        '--session',
        'live',
        '--server',
        web.server.url,
        '--',
        'sh',
        '-c',
        `echo loss=1; while [ ! -f '${gate}' ]; do sleep 0.05; done; echo loss=0.25`,
      ],
      { env: cliEnv(web.home.dir), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const done = collect(child);
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await poll(() => /execution (e_\S+) in session (s_\S+)/.exec(err)).not.toBeNull();
    const [, id, liveSession] = /execution (e_\S+) in session (s_\S+)/.exec(err)!;

    const page = await web.browser.context.newPage();
    await poll(async () => (await page.goto(`${web.server.url}/e/${id}`))?.status()).toBe(200);
    const row = page.locator('table.summary tr', { has: page.locator('th', { hasText: /^loss$/ }) });
    await poll(() => row.locator('td').allTextContents()).toEqual(['1', '1', '1', '1']);
    // the header's duration counts on while Running
    const duration = page.locator('[data-field="duration"]');
    const first = await duration.textContent();
    await poll(() => duration.textContent()).not.toBe(first);

    const session = await web.browser.context.newPage();
    await session.goto(`${web.server.url}/s/${liveSession}`);
    const cell = session.locator(`tr[data-id="${id}"] td.duration`);
    await poll(() => cell.textContent()).not.toBe('-');
    const before = await cell.textContent();
    await poll(() => cell.textContent()).not.toBe(before);

    writeFileSync(gate, '');
    await page.bringToFront();
    await poll(() => row.locator('td').allTextContents()).toEqual(['0.25', '0.25', '1', '2']);
    await poll(() => page.locator('h1 .state').textContent()).toBe('Passive');
    expect((await done).exitCode).toBe(0);
    // ended: the duration is the final one and stays
    const final = await duration.textContent();
    await page.waitForTimeout(1500);
    expect(await duration.textContent()).toBe(final);
    await session.close();
    await page.close();
  }, 120_000);
});
