import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, cliEnv, peakRssMb, startServer, timed } from '../lib/proc.mjs';
import { freshDir, interleave, progress } from '../lib/context.mjs';
import { makeRow } from '../lib/stats.mjs';

const EXECUTION_LINE = /execution (e_\S+) in session/;
const CHROMIUM = process.env.EXEC_TRACK_CHROMIUM ?? '/usr/bin/chromium';
/** W3's followers. */
const FOLLOWERS = 20;

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'exec-track-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  return { context, close: async () => (await context.close(), rmSync(profile, { recursive: true, force: true })) };
}

/** A `run --server` child whose python3 program waits for `gate` to exist, then runs `body` (python source). */
function gatedRun(home, url, gate, body) {
  const program = `import os, sys, time\nwhile not os.path.exists(${JSON.stringify(gate)}): time.sleep(0.01)\n${body}`;
  const child = spawn(process.execPath, [BIN, 'run', '--server', url, '--', 'python3', '-c', program], {
    env: cliEnv(home),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const id = new Promise((resolve, reject) => {
    child.stderr.on('data', (b) => {
      stderr += b.toString();
      const m = EXECUTION_LINE.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`run exited before starting: ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { id, exited };
}

/** Opens the page of `id` once the server has the execution (the wrapper creates it on the server after its start line). */
async function openWhenThere(page, url, id) {
  for (let tries = 0; tries < 200; tries++) {
    if ((await page.goto(`${url}/e/${id}`)).status() === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server never had execution ${id}`);
}

/** Opens an execution page and resolves with the ms until its visible charts and its last line are drawn. */
async function openUntilDrawn(context, url, id, lastLine) {
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(`${url}/e/${id}`);
  await page.waitForFunction(
    (last) => {
      const figures = [...document.querySelectorAll('figure.chart')].filter((f) => f.getBoundingClientRect().top < innerHeight);
      const charts = figures.every((f) => f.dataset.points !== undefined && f.querySelector('canvas'));
      const lines = [...document.querySelectorAll('#log-view.virtual li .tx')].map((n) => n.textContent);
      return charts && lines.includes(last);
    },
    lastLine,
    { timeout: 120_000, polling: 'raf' },
  );
  const ms = performance.now() - started;
  await page.close();
  return ms;
}

/**
 * W1, W2, W3 (issue 11): the web report in Chromium against a real server.
 * W1: open the page of a 1 000 000-line, 3 000 000-point execution (B3m's input) vs a 10-line one
 * until the charts in view and the last line are drawn. W2: a child's print → the line shown on an
 * open page, 100 lines 50 ms apart (p95). W3: the server's peak RSS while 20 pages follow one
 * running execution printing 500 lines/s for 10 s.
 */
export async function web(ctx) {
  const home = freshDir(ctx.root, 'web');
  const server = await startServer(home, join(home, 'server.db'));
  const browser = await launch();
  const rows = [];
  try {
    // W2
    progress('W2: print → line shown on an open page, 100 lines');
    const gate2 = join(home, 'gate-w2');
    const w2 = gatedRun(home, server.url, gate2, `for i in range(100):\n    print('w2 %d %.3f' % (i, time.time() * 1000), flush=True)\n    time.sleep(0.05)`);
    const page = await browser.context.newPage();
    await openWhenThere(page, server.url, await w2.id);
    await page.evaluate(() => {
      window.w2 = new Map();
      new MutationObserver(() => {
        for (const node of document.querySelectorAll('#log-view li .tx')) {
          const m = /^w2 (\d+) ([\d.]+)$/.exec(node.textContent ?? '');
          if (m && !window.w2.has(m[1])) window.w2.set(m[1], Date.now() - Number(m[2]));
        }
      }).observe(document.getElementById('log-view'), { childList: true, subtree: true });
    });
    writeFileSync(gate2, '');
    await w2.exited;
    await page.waitForFunction(() => window.w2.size === 100, null, { timeout: 30_000 }).catch(() => undefined);
    const latencies = await page.evaluate(() => [...window.w2.values()]);
    await page.close();
    const sorted = [...latencies].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? NaN;
    const median = sorted[sorted.length >> 1] ?? NaN;
    rows.push(
      makeRow({
        id: 'W2',
        what: 'print → line on an open page, p95 of 100',
        unit: 'ms',
        target: 500,
        samples: [p95],
        ok: latencies.length === 100,
        note: `median ${Math.round(median)} ms, p95 ${Math.round(p95)} ms over ${latencies.length} lines`,
      }),
    );

    // W3
    progress(`W3: server RSS with ${FOLLOWERS} pages following one running execution`);
    const gate3 = join(home, 'gate-w3');
    const w3 = gatedRun(
      home,
      server.url,
      gate3,
      `for i in range(5000):\n    print('w3 line %d loss=%f' % (i, 1.0 / (i + 1)), flush=True)\n    time.sleep(0.002)`,
    );
    const id3 = await w3.id;
    const pages = [];
    for (let i = 0; i < FOLLOWERS; i++) {
      const p = await browser.context.newPage();
      await openWhenThere(p, server.url, id3);
      pages.push(p);
    }
    writeFileSync(gate3, '');
    await w3.exited;
    const rss = peakRssMb(server.pid);
    // a background tab draws no frames: bring each to the front to check that it got the last line
    const shown = [];
    for (const p of pages) {
      await p.bringToFront();
      shown.push(
        await p
          .waitForFunction(() => [...document.querySelectorAll('#log-view li .tx')].some((n) => n.textContent?.startsWith('w3 line 4999 ')), null, {
            timeout: 30_000,
          })
          .then(
            () => true,
            () => false,
          ),
      );
    }
    await Promise.all(pages.map((p) => p.close()));
    rows.push(
      makeRow({
        id: 'W3',
        what: `server peak RSS, ${FOLLOWERS} pages following`,
        unit: 'MB',
        target: 200,
        samples: [rss ?? NaN],
        ok: shown.every(Boolean),
        note: shown.every(Boolean) ? null : `${shown.filter((s) => !s).length} pages did not show the last line`,
      }),
    );

    // W1
    const { lines } = ctx.size;
    progress(`W1: open the page of a ${lines}-line, ${3 * lines}-point execution vs a 10-line one`);
    const large = await timed(process.execPath, [BIN, 'run', '--server', server.url, '--', 'cat', ctx.inputs.metrics], {
      env: cliEnv(home),
      timeoutMs: 600_000,
    });
    const small = await timed(process.execPath, [BIN, 'run', '--server', server.url, '--', 'head', '-n', '10', ctx.inputs.metrics], { env: cliEnv(home) });
    const largeId = EXECUTION_LINE.exec(large.stderr)[1];
    const smallId = EXECUTION_LINE.exec(small.stderr)[1];
    const line = (i) => `step=${i} loss=0.${String(i % 1_000_000).padStart(6, '0')} acc=1.${String(i % 1_000_000).padStart(6, '0')}`;
    const [base, big] = await interleave(ctx.size.reps, [
      async () => ({ ms: await openUntilDrawn(browser.context, server.url, smallId, line(9)), error: null }),
      async () => ({ ms: await openUntilDrawn(browser.context, server.url, largeId, line(lines - 1)), error: null }),
    ]);
    rows.push(
      makeRow({
        id: 'W1',
        what: `open the page of a ${lines}-line, ${3 * lines}-point execution`,
        unit: 'ms',
        target: 1.5,
        baselineSamples: base.samples,
        samples: big.samples,
        ok: true,
      }),
    );
  } finally {
    await browser.close();
    await server.stop();
    if (existsSync(home)) rmSync(home, { recursive: true, force: true });
  }
  return rows;
}
