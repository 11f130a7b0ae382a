import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli, startServer, type CliResult } from '../helpers/cli.js';
import { SCREENSHOTS, servedInBrowser } from './browser.js';

/** A browser under a loaded machine may take seconds: poll up to 30 s unless told otherwise. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 30_000, ...options });

const web = servedInBrowser();

/** `sh -c` text that waits until the file `gate` exists. */
const waitFor = (gate: string) => `while [ ! -f '${gate}' ]; do sleep 0.05; done`;

/**
 * Starts `exec-track run` of `script` (sh) against the server (or the embedded store when `local`),
 * in `session` when given; `id` resolves once it is created, `done` at its end.
 */
function startRun(script: string, session?: string, local = false): { child: ChildProcess; done: Promise<CliResult>; id: Promise<string> } {
  const args = ['run', ...(local ? [] : ['--server', web.server.url]), ...(session ? ['--session', session] : []), '--', 'sh', '-c', script];
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(web.home.dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const id = new Promise<string>((resolve) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /execution (e_\S+) in session/.exec(err);
      if (m) resolve(m[1]!);
    });
  });
  return { child, done: collect(child), id };
}

/** Starts `exec-track ui --port 0` on the home's embedded store; resolves with its URL and the process. */
async function startUi(): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [BIN, 'ui', '--port', '0'], { env: cliEnv(web.home.dir, { DISPLAY: '' }), stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    proc.stdout!.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /serving the embedded store on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`ui exited with ${code}`)));
  });
  return { url, proc };
}

/**
 * Saves a full-page screenshot of the live `page` (1280 px) and of its URL opened anew on a 390 px
 * wide page (a phone; one live page at a time: a tab in the background gets no animation frames).
 */
async function shoot(page: Page, name: string, ready: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-1280.png`), fullPage: true });
  const phone = await web.browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 900 });
  await phone.goto(page.url());
  await phone.locator(ready).first().waitFor();
  // charts render when scrolled into view: bring each one in before the full-page shot
  for (const figure of await phone.locator('figure.chart').all()) {
    await figure.scrollIntoViewIfNeeded();
    await poll(() => figure.getAttribute('data-points')).not.toBeNull();
  }
  await phone.screenshot({ path: join(SCREENSHOTS, `${name}-390.png`), fullPage: true });
  await phone.close();
  await page.bringToFront();
}

describe('live pages', () => {
  it('shows new executions and state changes on the session page over its socket, resuming after a server restart without the backlog', async () => {
    const first = await runCli(['run', '--quiet', '--server', web.server.url, '--session', 'live', '--', 'sh', '-c', 'echo one'], { home: web.home.dir });
    expect(first.exitCode).toBe(0);
    const doc = JSON.parse((await runCli(['report', '--json', '--server', web.server.url], { home: web.home.dir })).out) as { session: { id: string } };
    const sessionId = doc.session.id;

    const page = await web.browser.context.newPage();
    const summaries: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/summary')) summaries.push(request.url());
    });
    const sockets: Array<{ url: string; frames: Array<{ type: string; execution?: { id: string; state: string } }> }> = [];
    page.on('websocket', (ws) => {
      const socket = { url: ws.url(), frames: [] as Array<{ type: string; execution?: { id: string; state: string } }> };
      sockets.push(socket);
      ws.on('framereceived', (frame) => socket.frames.push(JSON.parse(String(frame.payload))));
    });
    await page.goto(`${web.server.url}/s/${sessionId}`);
    const rows = page.locator('table.executions tbody tr');
    await poll(() => rows.count()).toBe(1);
    await poll(() => sockets.length).toBe(1);

    const gate = join(web.home.dir, 'session-gate');
    const run = startRun(`echo two; ${waitFor(gate)}; echo three`, sessionId);
    const id = await run.id;
    const row = page.locator(`tr[data-id="${id}"]`);
    await poll(() => row.locator('.state').textContent()).toBe('Running');
    expect(await page.locator('h1 small').textContent()).toBe('2 executions');
    await shoot(page, 'live-session-running', 'table.executions tbody tr time');

    // a restart of the server on the same port: the page reconnects by itself
    await web.server.stop();
    await poll(() => page.evaluate(() => document.body.classList.contains('offline'))).toBe(true);
    web.server = await startServer({ home: web.home.dir, port: web.server.port });
    await poll(() => page.evaluate(() => document.body.classList.contains('offline')), { timeout: 40_000 }).toBe(false);
    writeFileSync(gate, '');
    expect((await run.done).exitCode).toBe(0);
    await poll(() => row.locator('.state').textContent(), { timeout: 40_000 }).toBe('Passive');

    // the first socket asked for what came after the summary; the second for what came after the
    // newest execution the page had, plus the one it showed running: never the first execution again
    // (attempts made while the server was down are sockets too: the one that answered is the last)
    const [before, after] = [sockets[0]!, sockets.at(-1)!];
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    expect(new URL(before.url).searchParams.get('open')).toBe('');
    expect(new URL(after.url).searchParams.get('after')).toBe(id);
    expect(new URL(after.url).searchParams.get('open')).toBe(id);
    const firstId = (await rows.nth(0).getAttribute('data-id'))!;
    expect(after.frames.map((f) => f.execution?.id)).not.toContain(firstId);
    expect(after.frames.at(-1)?.execution?.state).toBe('Passive');
    // no polling: the summary was read once at load (and the socket did the rest)
    expect(summaries).toHaveLength(1);
    await shoot(page, 'live-session-ended', 'table.executions tbody tr time');
    await page.close();
  }, 180_000);

  it('draws the chart of a metric key that first appears while the execution page is open', async () => {
    const [gate1, gate2] = [join(web.home.dir, 'metric-gate-1'), join(web.home.dir, 'metric-gate-2')];
    const run = startRun(`echo starting; ${waitFor(gate1)}; echo 'loss=0.9 acc=0.1'; echo 'loss=0.8 acc=0.2'; ${waitFor(gate2)}; echo 'loss=0.7 acc=0.3'`);
    const id = await run.id;
    const page = await web.browser.context.newPage();
    // the wrapper prints the id once the execution exists in its sink; the server may get it a moment later (a spooled start)
    await poll(async () => (await page.goto(`${web.server.url}/e/${id}`))?.status()).toBe(200);
    await poll(() => page.locator('#log-view li .tx').allTextContents()).toContain('starting');
    expect(await page.locator('#no-metrics').count()).toBe(1);
    expect(await page.locator('figure.chart').count()).toBe(0);

    writeFileSync(gate1, '');
    const loss = page.locator('figure.chart[data-key="loss"]');
    const acc = page.locator('figure.chart[data-key="acc"]');
    await poll(() => loss.getAttribute('data-points')).toBe('2');
    await poll(() => acc.getAttribute('data-points')).toBe('2');
    expect(await page.locator('#no-metrics').count()).toBe(0);
    expect(await page.locator('.chart-tools select[aria-label="x axis"]').count()).toBe(1);
    await shoot(page, 'live-execution-new-key', 'figure.chart');

    writeFileSync(gate2, '');
    await poll(() => loss.getAttribute('data-points')).toBe('3');
    await poll(() => acc.getAttribute('data-points')).toBe('3');
    await poll(() => page.locator('h1 .state').textContent()).toBe('Passive');
    expect((await run.done).exitCode).toBe(0);
    await poll(() => page.locator('.log h2 small').textContent()).toBe('4 lines');
    await page.close();
  }, 120_000);

  it('keeps the pages of `ui` live while a local run writes the same store from its own process', async () => {
    const [gate1, gate2] = [join(web.home.dir, 'ui-gate-1'), join(web.home.dir, 'ui-gate-2')];
    const ui = await startUi();
    try {
      const run = startRun(`echo 'loss=1.0'; ${waitFor(gate1)}; echo 'loss=0.5 acc=0.5'; ${waitFor(gate2)}; echo done`, 'ui-live', true);
      const id = await run.id;
      const page = await web.browser.context.newPage();
      await page.goto(`${ui.url}/e/${id}`);
      expect(await page.locator('h1 .state').textContent()).toBe('Running');
      const loss = page.locator('figure.chart[data-key="loss"]');
      await poll(() => loss.getAttribute('data-points')).toBe('1');

      writeFileSync(gate1, '');
      await poll(() => page.locator('#log-view li .tx').allTextContents()).toContain('loss=0.5 acc=0.5');
      await poll(() => loss.getAttribute('data-points')).toBe('2');
      await poll(() => page.locator('figure.chart[data-key="acc"]').getAttribute('data-points')).toBe('1');

      // the session page of the same store sees a second local run start and both end
      const sessionPath = (await page.locator('a[href^="/s/"]').getAttribute('href'))!;
      const second = startRun(`${waitFor(gate2)}; echo second`, 'ui-live', true);
      const secondId = await second.id;
      await page.goto(`${ui.url}${sessionPath}`);
      const rows = page.locator('table.executions tbody tr');
      await poll(() => rows.count()).toBe(2);
      const third = startRun(`${waitFor(gate2)}; exit 3`, 'ui-live', true);
      const thirdId = await third.id;
      await poll(() => page.locator(`tr[data-id="${thirdId}"] .state`).textContent()).toBe('Running');
      writeFileSync(gate2, '');
      await poll(() => page.locator(`tr[data-id="${id}"] .state`).textContent()).toBe('Passive');
      await poll(() => page.locator(`tr[data-id="${secondId}"] .state`).textContent()).toBe('Passive');
      await poll(() => page.locator(`tr[data-id="${thirdId}"] .state`).textContent()).toBe('Execution crushed');
      await poll(() => page.locator(`tr[data-id="${id}"] td`).allTextContents()).toContain('0.5');
      await shoot(page, 'live-ui-session', 'table.executions tbody tr time');
      expect((await run.done).exitCode).toBe(0);
      expect((await third.done).exitCode).toBe(3);
      await page.close();
    } finally {
      ui.proc.kill('SIGTERM');
    }
  }, 120_000);
});
