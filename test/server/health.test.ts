import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './setup.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

describe('health probes', () => {
  it('/healthz says the process lives and /readyz that the database answers; without the database only /readyz fails, with 503 and Retry-After', async () => {
    expect((await t.app.inject('/readyz')).json()).toEqual({ ok: true });
    await t.store.close();
    const ready = await t.app.inject('/readyz');
    expect([ready.statusCode, ready.headers['retry-after'], ready.json().error.code]).toEqual([503, '5', 'STORE_ERROR']);
    expect(ready.json().error.message).toBe('The server cannot reach its database; send requests to another instance, or retry shortly.');
    expect((await t.app.inject('/healthz')).json()).toEqual({ ok: true });
    // a known fault is one line, without a stack
    expect(t.logs).toEqual(['exec-track: STORE_ERROR: The server cannot reach its database; send requests to another instance, or retry shortly.']);
  });

  it("a page the server cannot build without its database is an HTML page with the 5xx status, not the API's JSON", async () => {
    await t.store.close();
    const page = await t.app.inject('/s/s_AAAAAAAAAAAAAAAAAAAAAA');
    expect([page.statusCode, page.headers['content-type']]).toEqual([500, 'text/html; charset=utf-8']);
    expect(page.headers['content-security-policy']).toBeDefined();
    expect(page.body).toContain('The server cannot answer right now');
    expect(t.logs.join('\n')).toMatch(/^exec-track: internal error on a page: /);
  });
});
