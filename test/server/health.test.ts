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
});
