import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, runCli } from '../helpers/cli.js';
import { serverHome } from '../helpers/server-home.js';
import { launchBrowser, type TestBrowser } from './browser.js';

/** A browser under a loaded machine may take seconds: poll up to 20 s unless told otherwise. */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number } = {}) => expect.poll(fn, { timeout: 20_000, ...options });

const suite = serverHome('all');

describe('web pages from the CLI', () => {
  it('run prints the page URL as a second start line in server mode, and --quiet drops it', async () => {
    const ran = await runCli(['run', '--server', suite.server.url, '--', 'sh', '-c', 'echo hi'], { home: suite.home.dir });
    const [first, second] = ran.err.split('\n');
    const id = /execution (e_\S+) in session/.exec(first!)?.[1];
    expect(second).toBe(`exec-track: watch it at ${suite.server.url}/e/${id}`);
    const page = await fetch(`${suite.server.url}/e/${id}`);
    expect(page.status).toBe(200);
    const quiet = await runCli(['run', '--quiet', '--server', suite.server.url, '--', 'sh', '-c', 'echo hi'], { home: suite.home.dir });
    expect(quiet.err).toBe('');
  });

  it('open prints the URL of the last execution when there is no desktop', async () => {
    const ran = await runCli(['run', '--server', suite.server.url, '--', 'true'], { home: suite.home.dir });
    const id = /execution (e_\S+) in session/.exec(ran.err)?.[1];
    const opened = await runCli(['open', 'last', '--server', suite.server.url], { home: suite.home.dir, env: { DISPLAY: '', WAYLAND_DISPLAY: '' } });
    expect(opened.exitCode).toBe(0);
    expect(opened.out).toBe(`${suite.server.url}/e/${id}\n`);
  });

  it('open of an id the server does not have says so (exit 1), prints no URL', async () => {
    const opened = await runCli(['open', 'e_AAAAAAAAAAAAAAAAAAAAAA', '--server', suite.server.url], {
      home: suite.home.dir,
      env: { DISPLAY: '', WAYLAND_DISPLAY: '' },
    });
    expect(opened.exitCode).toBe(1);
    expect(opened.out).toBe('');
    expect(opened.err).toMatch(/^exec-track: No execution e_AAAAAAAAAAAAAAAAAAAAAA [^\n]+\.\n$/);
  });

  it('open without a server says to use ui, exit 2', async () => {
    const opened = await runCli(['open'], { home: suite.home.dir });
    expect(opened.exitCode).toBe(2);
    expect(opened.err).toBe(
      'exec-track: No server is configured, so there is no page to open; give --server <url>, or run `exec-track ui` for the embedded store.\n',
    );
  });

  it('ui serves the embedded store read-only with the same pages', async () => {
    const local = await runCli(['run', '--', 'sh', '-c', 'echo "local <b>line</b>"'], { home: suite.home.dir });
    const id = /execution (e_\S+) in session/.exec(local.err)?.[1];
    const ui = spawn(process.execPath, [BIN, 'ui', '--port', '0'], { env: cliEnv(suite.home.dir, { DISPLAY: '' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let browser: TestBrowser | undefined;
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        ui.stdout.on('data', (b: Buffer) => {
          text += b.toString();
          const m = /serving the embedded store on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (m) resolve(m[1]!);
        });
        ui.once('exit', (code) => reject(new Error(`ui exited with ${code}`)));
      });
      expect((await fetch(`${url}/api/v1/users`, { method: 'POST' })).status).toBe(405);
      browser = await launchBrowser();
      const page = await browser.context.newPage();
      await page.goto(`${url}/e/${id}`);
      expect(await page.locator('h1 .state').textContent()).toBe('Passive');
      await poll(() => page.locator('#log-view li .tx').allTextContents()).toEqual(['local <b>line</b>']);
    } finally {
      await browser?.close();
      ui.kill('SIGTERM');
    }
  });
});
