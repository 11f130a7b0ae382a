import { afterEach, describe, expect, it } from 'vitest';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

describe('limits', () => {
  it('answers 413 naming --max-body for a body over the limit', async () => {
    t = await testApp({ maxBodyBytes: 1024 });
    const { claimKey } = await credentials(t.app);
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/executions/${executionId}/reports`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { lines: lines(0, 50) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toEqual({ code: 'TOO_LARGE', message: expect.stringContaining('--max-body') });
    expect(await t.store.readReports(executionId)).toEqual([]);
  });

  it('answers 413 naming --max-line for an over-long line and stores none of the batch', async () => {
    t = await testApp({ maxLineLength: 100 });
    const { claimKey } = await credentials(t.app);
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const batch = [...lines(0, 3), { seq: 3, ts: 1, stream: 'stdout', text: 'x'.repeat(101) }];
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/executions/${executionId}/reports`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { lines: batch },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toContain('--max-line');
    expect(await t.store.readReports(executionId)).toEqual([]);
  });

  it('answers 400 naming --max-sessions-per-user once a user owns that many sessions', async () => {
    t = await testApp({ maxSessionsPerUser: 2 });
    const { claimKey, token } = await credentials(t.app);
    const create = () => t.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { authorization: `Bearer ${claimKey}` }, payload: { title: 's' } });
    expect([(await create()).statusCode, (await create()).statusCode]).toEqual([201, 201]);
    const third = await create();
    expect(third.statusCode).toBe(400);
    expect(third.json().error).toEqual({ code: 'LIMIT_EXCEEDED', message: expect.stringContaining('--max-sessions-per-user') });
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: { authorization: `Bearer ${token}` } })).json();
    expect(list.sessions).toHaveLength(2);
  });

  it('answers 400 naming --max-executions-per-session once a session holds that many', async () => {
    t = await testApp({ maxExecutionsPerSession: 1 });
    const { claimKey } = await credentials(t.app);
    const { sessionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/executions`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { command: ['x'], startedAt: t.clock.now },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('--max-executions-per-session');
    expect(await t.store.listExecutions(sessionId)).toHaveLength(1);
  });

  it('answers 429 with Retry-After and a JSON error past the hourly rate limit, and leaves /healthz alone', async () => {
    t = await testApp({ rateLimit: 3 });
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ method: 'POST', url: '/api/v1/users' })).statusCode).toBe(201);
    t.clock.now += 600_000;
    const limited = await t.app.inject({ method: 'GET', url: '/api/v1/sessions/s_x' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('3000');
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    t.clock.now += 3_000_000;
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/users' })).statusCode).toBe(201);
  });
});

describe('malformed input', () => {
  it.each([
    ['invalid JSON', '{"lines": [', 'application/json', 400],
    ['a JSON array', '[]', 'application/json', 400],
    ['a wrong type', '{"lines":[{"seq":"zero","ts":1,"stream":"stdout","text":""}]}', 'application/json', 400],
    ['an unknown stream', '{"lines":[{"seq":0,"ts":1,"stream":"stdin","text":""}]}', 'application/json', 400],
    ['a negative seq', '{"lines":[{"seq":-1,"ts":1,"stream":"stdout","text":""}]}', 'application/json', 400],
    ['an empty JSON body', '', 'application/json', 400],
    ['plain text', 'hello', 'text/plain', 415],
    ['an unsupported media type', '<lines/>', 'application/xml', 415],
    ['a prototype-poisoning body', '{"__proto__":{"x":1},"lines":[]}', 'application/json', 400],
  ])('answers %s with a JSON error and stores nothing', async (_name, payload, contentType, status) => {
    t = await testApp();
    const { claimKey } = await credentials(t.app);
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/executions/${executionId}/reports`,
      headers: { authorization: `Bearer ${claimKey}`, 'content-type': contentType },
      payload,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(await t.store.readReports(executionId)).toEqual([]);
  });

  it.each([
    ['a bad query', 'GET', '/api/v1/executions/EID/reports?limit=abc', 400],
    ['a limit beyond the page size', 'GET', '/api/v1/executions/EID/reports?limit=10001', 400],
    ['an unknown route', 'GET', '/api/v1/nope', 404],
    ['a wrong method', 'DELETE', '/api/v1/sessions', 404],
  ])('answers %s with a JSON error', async (_name, method, url, status) => {
    t = await testApp();
    const { claimKey } = await credentials(t.app);
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const res = await t.app.inject({ method: method as 'GET', url: url.replace('EID', executionId) });
    expect(res.statusCode).toBe(status);
    expect(Object.keys(res.json().error)).toEqual(['code', 'message']);
  });
});
