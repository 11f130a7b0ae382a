import { afterEach, describe, expect, it } from 'vitest';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function withRun(options = {}): Promise<{ t: TestApp; sessionId: string; executionId: string }> {
  t = await testApp(options);
  const { claimKey } = await credentials(t.app);
  const ids = await sessionWithExecution(t.app, claimKey, t.clock());
  await t.store.appendReports(ids.executionId, lines(0, 100));
  return { t, ...ids };
}

describe('endpoints for pages', () => {
  it('answers a session with its executions and their metric summaries in one call', async () => {
    const { t, sessionId, executionId } = await withRun();
    const body = (await t.app.inject(`/api/v1/sessions/${sessionId}/summary`)).json();
    expect(body.executions).toHaveLength(1);
    expect(body.executions[0]).toMatchObject({ id: executionId, lineCount: 100, metrics: { loss: { last: 0.01, count: 100 }, step: { last: 99 } } });
    expect((await t.app.inject('/api/v1/sessions/s_AAAAAAAAAAAAAAAAAAAAAA/summary')).statusCode).toBe(404);
  });

  it('downsamples points to buckets, bounds them by a step range, and refuses bad queries with 400', async () => {
    const { t, executionId } = await withRun();
    const url = `/api/v1/executions/${executionId}/points`;
    const all = (await t.app.inject(`${url}?keys=loss`)).json().series.loss;
    expect(all).toMatchObject({ total: 100, downsampled: false });
    expect(all.step).toHaveLength(100);
    const few = (await t.app.inject(`${url}?keys=loss&buckets=5`)).json().series.loss;
    expect(few.step.length).toBeLessThanOrEqual(10);
    expect(few).toMatchObject({ total: 100, downsampled: true });
    expect(few.value).toContain(1);
    const zoomed = (await t.app.inject(`${url}?keys=loss&from=10&to=19`)).json().series.loss;
    expect(zoomed.step).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    for (const bad of ['buckets=0', 'from=5&to=1', 'x=seq', `keys=${Array.from({ length: 51 }, (_, i) => i).join(',')}`]) {
      const answer = await t.app.inject(`${url}?${bad}`);
      expect(answer.statusCode, bad).toBe(400);
      expect(answer.json().error.code).toBe('BAD_REQUEST');
    }
  });

  it('finds lines by text and streams the raw log in seq order', async () => {
    const { t, executionId } = await withRun();
    expect((await t.app.inject(`/api/v1/executions/${executionId}/search?q=STEP=9`)).json()).toEqual({
      hits: [9, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99],
      scannedTo: 99,
      complete: true,
    });
    const raw = await t.app.inject(`/api/v1/executions/${executionId}/raw`);
    expect(raw.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(raw.body.split('\n')).toEqual([...lines(0, 100).map((l) => l.text), '']);
    expect((await t.app.inject(`/api/v1/executions/${executionId}/reports?after=9&before=12`)).json().reports.map((r: { seq: number }) => r.seq)).toEqual([
      10, 11,
    ]);
  });

  it('serves pages with the capability-URL headers, and the same 404 page for unknown and malformed ids', async () => {
    const { t, executionId } = await withRun();
    const page = await t.app.inject(`/e/${executionId}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'private, no-store' });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('step=99 loss=0.010');
    const unknown = await t.app.inject('/e/e_AAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await t.app.inject('/s/x<y');
    expect([unknown.statusCode, malformed.statusCode]).toEqual([404, 404]);
    expect(malformed.body).toBe(unknown.body);
    // a URL the router cannot decode is one more unknown id: the same page, its headers, and the API's JSON 404
    const undecodable = await t.app.inject('/s/%ff');
    expect([undecodable.statusCode, undecodable.body]).toEqual([404, unknown.body]);
    expect(undecodable.headers['content-security-policy']).toContain("script-src 'self'");
    const api = await t.app.inject('/api/v1/sessions/%ff');
    expect([api.statusCode, api.json().error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await t.app.inject('/robots.txt')).body).toBe('User-agent: *\nDisallow: /\n');
  });

  it('does not count assets against the per-IP limit; pages and API calls count', async () => {
    t = await testApp({ rateLimit: 3 });
    for (let i = 0; i < 10; i++) expect((await t.app.inject('/assets/web.css')).statusCode).not.toBe(429);
    for (let i = 0; i < 3; i++) expect((await t.app.inject('/')).statusCode).toBe(200);
    expect((await t.app.inject('/')).statusCode).toBe(429);
  });

  it("answers a page over the per-IP limit with an HTML 429 page and the pages' headers, an API call with the JSON error", async () => {
    t = await testApp({ rateLimit: 2 });
    for (let i = 0; i < 2; i++) expect((await t.app.inject('/')).statusCode).toBe(200);
    const page = await t.app.inject('/s/s_AAAAAAAAAAAAAAAAAAAAAA');
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'private, no-store' });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(page.body).toContain('<h1>Too many requests</h1>');
    const api = await t.app.inject('/api/v1/sessions/s_AAAAAAAAAAAAAAAAAAAAAA');
    expect([api.statusCode, api.json().error.code]).toEqual([429, 'RATE_LIMITED']);
  });

  it('answers an unknown path with the HTML 404 page outside /api/, and with the JSON error under it', async () => {
    t = await testApp();
    const unknownId = await t.app.inject('/e/e_AAAAAAAAAAAAAAAAAAAAAA');
    for (const path of ['/nope', '/e', '/s/x/y', '/favicon.png']) {
      const page = await t.app.inject(path);
      expect([path, page.statusCode, page.body]).toEqual([path, 404, unknownId.body]);
      expect(page.headers).toMatchObject({ 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'private, no-store' });
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    }
    for (const path of ['/api/nope', '/api/v1/nope', '/api/v1/sessions/s_AAAAAAAAAAAAAAAAAAAAAA/nope']) {
      const api = await t.app.inject(path);
      expect([path, api.statusCode, api.json().error.code]).toEqual([path, 404, 'NOT_FOUND']);
    }
  });
});
