import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { launchBrowser, type TestBrowser } from './browser.js';

/** A browser under a loaded machine may take seconds: poll up to 20 s unless told otherwise. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 20_000, ...options });

let home: { dir: string; cleanup: () => void };
let server: ServerProcess;
let browser: TestBrowser;
let page: Page;
beforeAll(async () => {
  home = tempHome();
  server = await startServer({ home: home.dir, args: ['--line-quota', '100'] });
  browser = await launchBrowser();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  home?.cleanup();
});

const executionId = (stderr: string) => /execution (e_\S+) in session/.exec(stderr)![1]!;
const texts = () => page.locator('#log-view li .tx').allTextContents();

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
