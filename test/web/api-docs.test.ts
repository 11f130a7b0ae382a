import { describe, expect, it } from 'vitest';
import { servedInBrowser } from './browser.js';

const web = servedInBrowser([], 120_000);

describe('API reference page (real browser)', () => {
  it('renders every route of the OpenAPI document from this server alone, with no CSP violation', async () => {
    const page = await web.browser.context.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(web.server.url) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${web.server.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    const doc = (await (await fetch(`${web.server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 20_000 }).toBe(operations);
    await expect(page.locator('.opblock-summary-path').filter({ hasText: '/api/v1/executions/{id}/stream' }).count()).resolves.toBe(1);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});
