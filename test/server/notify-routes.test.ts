import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials, sessionWithExecution, testApp, type TestApp } from './setup.js';

const HOOK = 'https://hooks.slack.com/services/T000/B000/XXXXsecretx9Qz';

describe('notification routes', () => {
  let t: TestApp;
  beforeEach(async () => (t = await testApp()));
  afterEach(() => t.close());

  it("adds, lists (masked, with delivery counts) and removes rules with the owner's claim key", async () => {
    const { claimKey } = await credentials(t.app);
    const headers = { authorization: `Bearer ${claimKey}` };
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/notifications`,
      headers,
      payload: { url: HOOK, on: ['failed'], stallAfterMs: 60_000 },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json().rule).toMatchObject({
      sessionId,
      executionId: null,
      channel: 'slack',
      url: 'https://hooks.slack.com/…x9Qz',
      on: ['failed'],
      stallAfterMs: 60_000,
      deliveries: {},
    });
    const forRun = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/notifications`,
      headers,
      payload: { url: 'ntfy+https://push.example/t0pic', executionId },
    });
    expect(forRun.json().rule).toMatchObject({ channel: 'ntfy', executionId, on: ['finished', 'failed', 'lost', 'stalled'], stallAfterMs: 1_800_000 });
    const listed = await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}/notifications`, headers });
    expect(listed.json().rules.map((r: { id: string }) => r.id)).toEqual([added.json().rule.id, forRun.json().rule.id]);
    expect(listed.body).not.toContain('secret');
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/notifications/${added.json().rule.id}`, headers });
    expect(removed.statusCode).toBe(204);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/notifications/${added.json().rule.id}`, headers });
    expect([again.statusCode, again.json().error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it.each([
    [{ url: 'ftp://x.example/y' }, /must be http:\/\/ or https:\/\//],
    [{ url: HOOK, on: ['exploded'] }, /Invalid request body at on\.0/],
    [{ url: HOOK, stallAfterMs: 5 }, /Invalid request body at stallAfterMs/],
    [{ url: HOOK, executionId: 's_AAAAAAAAAAAAAAAAAAAAAA' }, /is not an execution id/],
    [{ url: HOOK, executionId: 'e_AAAAAAAAAAAAAAAAAAAAAA', on: ['session-done'] }, /cannot take session-done/],
    [{ url: HOOK, stallAfterMs: 31 * 86_400_000 }, /Invalid request body at stallAfterMs/],
    [{}, /Invalid request body at url/],
  ])('refuses %o with 400 BAD_REQUEST', async (payload, message) => {
    const { claimKey } = await credentials(t.app);
    const { sessionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/notifications`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload,
    });
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'BAD_REQUEST']);
    expect(res.json().error.message).toMatch(message);
  });

  it("another user can neither add, list nor remove a session's rules; no key is 401", async () => {
    const owner = await credentials(t.app);
    const other = await credentials(t.app);
    const { sessionId } = await sessionWithExecution(t.app, owner.claimKey, t.clock.now);
    const rule = (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${sessionId}/notifications`,
        headers: { authorization: `Bearer ${owner.claimKey}` },
        payload: { url: HOOK },
      })
    ).json().rule;
    const as = (claimKey?: string) => (claimKey ? { authorization: `Bearer ${claimKey}` } : {});
    const attempts = async (claimKey?: string) => [
      (await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/notifications`, headers: as(claimKey), payload: { url: HOOK } })).statusCode,
      (await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}/notifications`, headers: as(claimKey) })).statusCode,
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/notifications/${rule.id}`, headers: as(claimKey) })).statusCode,
    ];
    expect(await attempts(other.claimKey)).toEqual([403, 403, 403]);
    expect(await attempts()).toEqual([401, 401, 401]);
    expect(await t.store.notify.getRule(rule.id)).toBeDefined();
  });
});
