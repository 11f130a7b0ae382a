import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';

const DAY = 86_400_000;
let t: TestApp;
beforeEach(async () => {
  t = await testApp({ retentionMs: 14 * DAY });
});
afterEach(async () => {
  await t.close();
});

describe('retention', () => {
  it('shows when a session expires: 14 days after its last execution started', async () => {
    const { claimKey } = await credentials(t.app);
    const { sessionId } = await sessionWithExecution(t.app, claimKey, t.clock.now - DAY);
    const session = (await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` })).json().session;
    expect(session.expiresAt).toBe(new Date(t.clock.now + 13 * DAY).toISOString());
  });

  it('deletes a session with everything in it once its last execution started longer ago than the retention', async () => {
    const { claimKey, token } = await credentials(t.app);
    const old = await sessionWithExecution(t.app, claimKey, t.clock.now);
    await t.app.inject({ method: 'POST', url: `/api/v1/executions/${old.executionId}/reports`, headers: { authorization: `Bearer ${claimKey}` }, payload: { lines: lines(0, 3) } });
    t.clock.now += 10 * DAY;
    const fresh = await sessionWithExecution(t.app, (await credentials(t.app)).claimKey, t.clock.now);
    t.clock.now += 4 * DAY + 1;

    expect(await t.app.execTrack.retention.run()).toMatchObject({ sessions: 1 });
    for (const url of [`/api/v1/sessions/${old.sessionId}`, `/api/v1/executions/${old.executionId}`, `/api/v1/executions/${old.executionId}/reports`]) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${fresh.sessionId}` })).statusCode).toBe(200);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: { authorization: `Bearer ${token}` } });
    expect(list.statusCode === 401 || list.json().sessions.length === 0).toBe(true);
  });

  it('keeps everything when retention is off', async () => {
    await t.close();
    t = await (await import('./setup.js')).testApp({ retentionMs: 0 });
    const { claimKey } = await credentials(t.app);
    const { sessionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    t.clock.now += 365 * DAY;
    expect(await t.app.execTrack.retention.run()).toEqual({ sessions: 0, users: 0 });
    const session = (await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` })).json().session;
    expect(session.expiresAt).toBeNull();
  });
});
