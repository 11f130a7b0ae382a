import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { api, setupExecution } from '../server/wire.js';
import { launchBrowser, type TestBrowser } from './browser.js';
import { soakSize } from '../helpers/soak.js';

/** A browser under a loaded machine may take seconds: poll up to 20 s unless told otherwise. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 20_000, ...options });

let home: { dir: string; cleanup: () => void };
let server: ServerProcess;
let browser: TestBrowser;
let page: Page;
/** Errors the page script left uncaught. */
const pageErrors: string[] = [];
beforeAll(async () => {
  home = tempHome();
  server = await startServer({ home: home.dir, args: ['--line-quota', '100'] });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  home?.cleanup();
});

const executionId = (stderr: string) => /execution (e_\S+) in session/.exec(stderr)![1]!;
const texts = () => page.locator('#log-view li .tx').allTextContents();
const searchBox = () => page.getByRole('searchbox', { name: 'Search the log' });
const hitCount = () => page.locator('.hit-count').textContent();
const target = () => page.locator('#log-view li.target .tx').textContent();

/**
 * The rows wholly inside the log's box, as what a reader sees there: `first` and `last` line
 * numbers, and `ok` when each row's text is `line <its number>` and the numbers run on by one.
 */
const seen = () =>
  page.locator('#log-view').evaluate((view) => {
    const box = view.getBoundingClientRect();
    const rows = [...view.querySelectorAll('li')]
      .filter((li) => li.getBoundingClientRect().top >= box.top && li.getBoundingClientRect().bottom <= box.bottom)
      .map((li) => [Number(li.querySelector('.ln')!.textContent), li.querySelector('.tx')!.textContent] as const);
    const ok = rows.length > 20 && rows.every(([n, text], i) => text === `line ${n}` && (i === 0 || n === rows[i - 1]![0] + 1));
    return { first: rows[0]?.[0], last: rows.at(-1)?.[0], ok };
  });

describe('the log view', () => {
  it('shows the line-quota marker at the gap, and every kept line on both sides of it', async () => {
    const ran = await runCli(['run', '--server', server.url, '--', 'seq', '1', '250'], { home: home.dir });
    await page.goto(`${server.url}/e/${executionId(ran.err)}`);
    await poll(texts, { timeout: 20_000 }).toContain('250');
    expect(await page.locator('#log-view li.quota .tx').textContent()).toBe('[exec-track: 150 lines dropped by the line quota]');
    await page.goto(`${server.url}/e/${executionId(ran.err)}#L50`);
    await poll(() => page.locator('#log-view li.target .tx').textContent(), { timeout: 20_000 }).toBe('50');
  });

  it('puts each line at its own seq when resource samples took seqs between lines, and a permalink brings it into the window', async () => {
    const script = 'for i in $(seq 1 40); do echo "line $i"; sleep 0.05; done';
    const ran = await runCli(['run', '--server', server.url, '--sample', '100ms', '--', 'sh', '-c', script], { home: home.dir });
    const id = executionId(ran.err);
    const { reports } = (await (await fetch(`${server.url}/api/v1/executions/${id}/reports?limit=1000`)).json()) as {
      reports: { seq: number; text: string }[];
    };
    expect(reports.map((r) => r.text)).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 1}`));
    // the precondition: samples took seqs, so seq and position differ
    const last = reports.at(-1)!;
    expect(last.seq).toBeGreaterThan(39);
    await page.goto(`${server.url}/e/${id}#L${last.seq + 1}`);
    await poll(() => page.locator('#log-view li.target .tx').textContent()).toBe('line 40');
    const shown = new Map(
      await page.locator('#log-view li[id]').evaluateAll((lis) => lis.map((li) => [li.id, li.querySelector('.tx')?.textContent ?? ''] as const)),
    );
    for (const r of reports) if (shown.has(`L${r.seq + 1}`)) expect(shown.get(`L${r.seq + 1}`)).toBe(r.text);
    expect([...shown.values()].filter((text) => text.startsWith('line ')).length).toBeGreaterThan(20);
    const box = (await page.locator('#log-view li.target').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(page.viewportSize()!.height);
    expect(box.y).toBeGreaterThanOrEqual(0);
  });

  it('follows the end while running, stops when the reader scrolls up, and jumps back to the end', async () => {
    const gate = join(home.dir, 'gate');
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--server', server.url, '--', 'sh', '-c', `i=0; while [ ! -f '${gate}' ]; do i=$((i+1)); echo "tick $i"; sleep 0.02; done; echo last`],
      {
        env: cliEnv(home.dir),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const done = collect(child);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    await poll(() => /execution e_/.test(stderr), { timeout: 20_000 }).toBe(true);
    const url = `${server.url}/e/${executionId(stderr)}`;
    await poll(async () => (await page.goto(url))?.status(), { timeout: 20_000 }).toBe(200);
    const view = page.locator('#log-view');
    // the view holds more lines than fit, and follows: the newest tick keeps showing up
    await poll(async () => (await texts()).filter((t) => t.startsWith('tick ')).length, { timeout: 20_000 }).toBeGreaterThan(40);
    // as a reader does: the wheel, upwards, over the log (then to the very top, where the checks below look)
    await view.hover();
    await page.mouse.wheel(0, -100_000);
    await view.evaluate((node) => (node.scrollTop = 0));
    await poll(() => page.getByRole('button', { name: 'Jump to end ↓' }).isVisible(), { timeout: 10_000 }).toBe(true);
    // more lines arrive, and the view stays where the reader put it
    const height = () => page.locator('#log-view .spacer').evaluate((node) => node.getBoundingClientRect().height);
    const grownFrom = await height();
    await poll(height, { timeout: 20_000 }).toBeGreaterThan(grownFrom + 200);
    expect(await view.evaluate((node) => node.scrollTop)).toBe(0);
    expect((await texts())[0]).toBe('tick 1');
    writeFileSync(gate, '');
    await page.getByRole('button', { name: 'Jump to end ↓' }).click();
    await poll(texts, { timeout: 20_000 }).toContain('last');
    expect((await done).exitCode).toBe(0);
  });
});

describe('the log view with the line quota, and its search', () => {
  it('highlights the marker and says so when a permalink names a line the quota dropped', async () => {
    const ran = await runCli(['run', '--server', server.url, '--', 'seq', '1', '250'], { home: home.dir });
    await page.goto(`${server.url}/e/${executionId(ran.err)}#L100`);
    await poll(() => page.locator('#log-view li.quota.target').count()).toBe(1);
    expect(await page.locator('.log-note').textContent()).toBe('Line 100 was dropped by the line quota (lines 51–200 were not kept).');
    await page.evaluate(() => (location.hash = '#L201'));
    await poll(target).toBe('201');
    expect(await page.locator('.log-note').textContent()).toBe('');
    expect(await page.locator('#log-view li.quota.target').count()).toBe(0);
  });

  it('asks once for a query entered twice, and lets a newer query supersede one still under way', async () => {
    const ran = await runCli(['run', '--server', server.url, '--', 'seq', '1', '250'], { home: home.dir });
    await page.goto(`${server.url}/e/${executionId(ran.err)}`);
    // the server answers slowly, '2' (many hits) slower than the rest
    const asked: string[] = [];
    const answered: Promise<void>[] = [];
    const slow = (route: Route) => {
      const q = new URL(route.request().url()).searchParams.get('q')!;
      asked.push(q);
      const delay = new Promise((resolve) => setTimeout(resolve, q === '2' ? 1500 : 300));
      // the page may have aborted it meanwhile
      const done = delay.then(() => route.continue()).catch(() => undefined);
      answered.push(done);
      return done;
    };
    const isSearch = (url: URL) => url.pathname.endsWith('/search');
    await page.route(isSearch, slow);
    const settled = async () => {
      await Promise.all(answered);
      await page.waitForTimeout(300);
    };
    try {
      await searchBox().fill('222');
      await searchBox().press('Enter');
      await searchBox().press('Enter');
      await settled();
      expect(asked).toEqual(['222']);
      await poll(hitCount).toBe('1 of 1 hit');

      await searchBox().fill('2');
      await searchBox().press('Enter');
      await searchBox().fill('233');
      await searchBox().press('Enter');
      await settled();
      expect(asked).toEqual(['222', '2', '233']);
      await poll(hitCount).toBe('1 of 1 hit');
      await poll(target).toBe('233');
      expect(await page.locator('#log-view li.hit .tx').allTextContents()).toEqual(['233']);
    } finally {
      await page.unroute(isSearch, slow);
    }
    expect(pageErrors).toEqual([]);
  });

  it('says in the count when the server refuses a search, and takes no longer query than the server does', async () => {
    const ran = await runCli(['run', '--server', server.url, '--', 'seq', '1', '250'], { home: home.dir });
    await page.goto(`${server.url}/e/${executionId(ran.err)}`);
    await searchBox().fill('222');
    await searchBox().press('Enter');
    await poll(hitCount).toBe('1 of 1 hit');
    expect(await searchBox().getAttribute('maxlength')).toBe('1000');
    // past the input's own limit, as a script could put it there
    await searchBox().evaluate((input: HTMLInputElement) => (input.value = 'x'.repeat(1001)));
    await searchBox().press('Enter');
    await poll(hitCount).toMatch(/^Search failed: .*at most 1000 character/);
    expect(pageErrors).toEqual([]);
  });
});

/** Rows past the view's 10 M px cap (500 000 rows of 20 px), so it scales; soak: 36 M px, past Chromium's own cap (33.5 M px). */
const ROWS = soakSize(600_000, 1_800_000);
const MIDDLE = ROWS / 2;
/** A line whose text no other line contains. */
const NEEDLE = Math.round(ROWS * 0.68) + 7;

describe(`a log taller than the view lays out (${ROWS} rows of 20 px)`, () => {
  let big: ServerProcess;
  let bigHome: ReturnType<typeof tempHome>;
  let claimKey: string;
  let url: string;
  let lines = 0;
  /** Stores lines `lines + 1 … lines + count` as `line <n>`, as a wrapper uploading by REST does. */
  const post = async (count: number) => {
    const batch = Array.from({ length: count }, (_, i) => ({ seq: lines + i, ts: Date.now(), stream: 'stdout', text: `line ${lines + i + 1}` }));
    expect(
      (await api(big.url, `${new URL(url).pathname.replace('/e/', '/api/v1/executions/')}/reports`, { body: { lines: batch }, bearer: claimKey })).status,
    ).toBe(200);
    lines += count;
  };
  beforeAll(async () => {
    bigHome = tempHome();
    big = await startServer({ home: bigHome.dir, args: ['--line-quota', 'all', '--heartbeat-timeout', '1h'] });
    const created = await setupExecution(big.url);
    claimKey = created.claimKey;
    url = `${big.url}/e/${created.executionId}`;
    while (lines < ROWS) await post(10_000);
  }, 180_000);
  afterAll(async () => {
    await big?.stop();
    bigHome?.cleanup();
  });

  it('reaches its last line by permalink and at the end, and follows lines that arrive live', async () => {
    await page.goto(`${url}#L${ROWS}`);
    await poll(target).toBe(`line ${ROWS}`);
    await page.goto(url);
    await poll(seen).toEqual({ first: expect.any(Number), last: ROWS, ok: true });
    await post(3);
    await poll(seen).toEqual({ first: expect.any(Number), last: ROWS + 3, ok: true });
  });

  it('shows the right lines anywhere: a permalink, the wheel, the keyboard, a search hit and Jump to end', async () => {
    await page.goto(`${url}#L${MIDDLE}`);
    await poll(target).toBe(`line ${MIDDLE}`);
    await poll(seen).toEqual({ first: expect.any(Number), last: expect.any(Number), ok: true });
    const middle = await seen();
    expect(middle.first).toBeLessThan(MIDDLE);
    expect(middle.last).toBeGreaterThan(MIDDLE);
    const view = page.locator('#log-view');
    await view.hover();
    await page.mouse.wheel(0, 400);
    await poll(async () => {
      const now = await seen();
      return now.ok && now.first! > middle.first!;
    }).toBe(true);
    await view.focus();
    await page.keyboard.press('Home');
    await poll(seen).toEqual({ first: 1, last: expect.any(Number), ok: true });
    await page.keyboard.press('End');
    await poll(seen).toEqual({ first: expect.any(Number), last: lines, ok: true });
    await page.keyboard.press('PageUp');
    await poll(async () => {
      const now = await seen();
      return now.ok && now.last! < lines;
    }).toBe(true);

    await searchBox().fill(`line ${NEEDLE}`);
    await searchBox().press('Enter');
    // on a loaded machine the server's time budget may stop the scan after the hit: `1+ hits`
    await poll(hitCount).toMatch(/^1 of 1( hit|\+ hits)$/);
    await poll(target).toBe(`line ${NEEDLE}`);
    await poll(seen).toEqual({ first: expect.any(Number), last: expect.any(Number), ok: true });
    await page.getByRole('button', { name: 'Jump to end ↓' }).click();
    await poll(seen).toEqual({ first: expect.any(Number), last: lines, ok: true });
    expect(pageErrors).toEqual([]);
  });

  it('does not wrap Previous from the first hit to the last one found while the search has not reached the end', async () => {
    await page.goto(url);
    await searchBox().fill('line');
    await searchBox().press('Enter');
    await poll(hitCount).toBe('1 of 1000+ hits');
    await searchBox().press('Shift+Enter');
    await poll(hitCount).toBe('1 of 1000+ hits — Previous does not wrap: the end of the log is not searched yet');
    await poll(target).toBe('line 1');
    await searchBox().press('Enter');
    await poll(hitCount).toBe('2 of 1000+ hits');
    await poll(target).toBe('line 2');
  });
});
