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

async function finish(claimKey: string, executionId: string, endedAt: number): Promise<void> {
  const outcome = { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt };
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/executions/${executionId}/finish`,
    headers: { authorization: `Bearer ${claimKey}` },
    payload: { outcome },
  });
  expect(res.statusCode).toBe(200);
}

describe('retention', () => {
  it('counts from when the server received the execution, not from a slow client clock (20 days behind)', async () => {
    const { claimKey } = await credentials(t.app);
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now - 20 * DAY);
    await finish(claimKey, executionId, t.clock.now - 20 * DAY + 1000);
    const session = (await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` })).json().session;
    expect(session.expiresAt).toBe(new Date(t.clock.now + 14 * DAY).toISOString());
    t.clock.now += DAY;
    expect(await t.app.execTrack.retention.run()).toMatchObject({ sessions: 0 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` })).statusCode).toBe(200);
  });

  it('expires a session from a client clock 23 hours fast like any other', async () => {
    const { claimKey } = await credentials(t.app);
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now + 23 * 3_600_000);
    await finish(claimKey, executionId, t.clock.now + 23 * 3_600_000 + 1000);
    t.clock.now += 14 * DAY + 1;
    expect(await t.app.execTrack.retention.run()).toMatchObject({ sessions: 1 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` })).statusCode).toBe(404);
  });

  it('keeps a session whose Running execution is still heard from, however old; deletes it once the wrapper fell silent', async () => {
    const { claimKey } = await credentials(t.app);
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    for (let day = 0; day < 20; day++) {
      t.clock.now += DAY;
      await t.store.touchExecution(executionId, t.clock.now);
    }
    expect(await t.app.execTrack.retention.run()).toMatchObject({ sessions: 0 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}` })).json().execution.state).toBe('Running');
    t.clock.now += DAY;
    expect(await t.app.execTrack.retention.run()).toMatchObject({ sessions: 1 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` })).statusCode).toBe(404);
  });

  it('shows when a session expires: 14 days after the server received its last execution', async () => {
    const { claimKey } = await credentials(t.app);
    const { sessionId } = await sessionWithExecution(t.app, claimKey, t.clock.now - DAY);
    t.clock.now += DAY;
    const session = (await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` })).json().session;
    expect(session.expiresAt).toBe(new Date(t.clock.now + 13 * DAY).toISOString());
  });

  it('deletes a session with everything in it once its last execution was received longer ago than the retention', async () => {
    const { claimKey, token } = await credentials(t.app);
    const old = await sessionWithExecution(t.app, claimKey, t.clock.now);
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/executions/${old.executionId}/reports`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { lines: lines(0, 3) },
    });
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
