import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, servedInBrowser } from './browser.js';

/** Pages a browser may load before the per-IP limit of this server answers 429. */
const LIMIT = 4;

const web = servedInBrowser(['--rate-limit', String(LIMIT)]);

describe('error pages in a browser', () => {
  it('shows the HTML 404 page for an unknown path, and the JSON error under /api/', async () => {
    const page = await web.browser.context.newPage();
    const answer = await page.goto(`${web.server.url}/nope`);
    expect(answer?.status()).toBe(404);
    expect(answer?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.locator('h1').textContent()).toBe('Nothing here');
    const api = await page.goto(`${web.server.url}/api/v1/nope`);
    expect([api?.status(), ((await api?.json()) as { error: { code: string } }).error.code]).toEqual([404, 'NOT_FOUND']);
    await page.close();
  });

  it("shows an HTML 429 page with Retry-After and the pages' headers past the per-IP limit", async () => {
    const page = await web.browser.context.newPage();
    let answer = await page.goto(web.server.url);
    for (let i = 0; i < LIMIT + 2 && answer?.status() !== 429; i++) answer = await page.goto(web.server.url);
    expect(answer?.status()).toBe(429);
    const headers = answer!.headers();
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'private, no-store' });
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(Number(headers['retry-after'])).toBeGreaterThan(0);
    expect(await page.locator('h1').textContent()).toBe('Too many requests');
    expect(await page.locator('main p').first().textContent()).toMatch(/Try again in \d+(m|min| ?h)/);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 600 });
      await page.screenshot({ path: join(SCREENSHOTS, `rate-limited-${width}.png`), fullPage: true });
    }
    await page.close();
  });
});
