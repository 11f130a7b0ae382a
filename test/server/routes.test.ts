import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

describe('REST routes', () => {
  it('answers /healthz', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it('mints a user with a ut_ token and stores only its hash', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user.id).toMatch(/^u_[A-Za-z0-9_-]{22}$/);
    expect(body.token).toMatch(/^ut_[A-Za-z0-9_-]{43}$/);
    const { hashToken } = await import('../../src/server/auth/tokens.js');
    const stored = await t.store.getUserByTokenHash(hashToken(body.token));
    expect(stored?.id).toBe(body.user.id);
    expect(JSON.stringify(stored)).not.toContain(body.token);
  });

  it('trades a user token for a claim key valid 24 h', async () => {
    const user = (await t.app.inject({ method: 'POST', url: '/api/v1/users' })).json();
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { authorization: `Bearer ${user.token}` } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ claimKey: expect.stringMatching(/^ck_/), expiresAt: new Date(t.clock.now + 86_400_000).toISOString() });
  });

  it('creates, lists and reads sessions with their expiry', async () => {
    const { token, claimKey } = await credentials(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { title: 'exp 1' },
    });
    expect(created.statusCode).toBe(201);
    const session = created.json().session;
    expect(session).toEqual({ id: expect.stringMatching(/^s_/), title: 'exp 1', createdAt: new Date(t.clock.now).toISOString() });
    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: { authorization: `Bearer ${token}` } });
    expect(listed.json()).toEqual({ sessions: [session] });
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${session.id}` });
    expect(read.json()).toEqual({ session: { ...session, expiresAt: new Date(t.clock.now + 14 * 86_400_000).toISOString() }, executions: [] });
  });

  it('accepts a client-proposed session id and answers a resend with 200 and the same session', async () => {
    const { claimKey } = await credentials(t.app);
    const { newId } = await import('../../src/protocol/ids.js');
    const id = newId('s');
    const send = () =>
      t.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: { authorization: `Bearer ${claimKey}` }, payload: { id, title: 'mine' } });
    const first = await send();
    const again = await send();
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json().session).toEqual(first.json().session);
  });

  it('creates an execution, ingests lines idempotently, serves reports, metrics and the finish', async () => {
    const { claimKey } = await credentials(t.app);
    const headers = { authorization: `Bearer ${claimKey}` };
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const post = (payload: object) => t.app.inject({ method: 'POST', url: `/api/v1/executions/${executionId}/reports`, headers, payload });
    expect((await post({ lines: lines(0, 5) })).json()).toEqual({ lastSeq: 4 });
    expect((await post({ lines: lines(3, 5) })).json()).toEqual({ lastSeq: 7 });

    const reports = (await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}/reports` })).json().reports;
    expect(reports.map((r: { seq: number }) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(reports[0]).toEqual({ seq: 0, ts: new Date(lines(0, 1)[0]!.ts).toISOString(), stream: 'stdout', text: 'step=0 loss=1.000' });
    const page = (await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}/reports?after=2&limit=2` })).json().reports;
    expect(page.map((r: { seq: number }) => r.seq)).toEqual([3, 4]);
    const tail = (await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}/reports?tail=3` })).json().reports;
    expect(tail.map((r: { seq: number }) => r.seq)).toEqual([5, 6, 7]);

    const metrics = (await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}/metrics?key=loss` })).json();
    expect(metrics.metrics).toEqual({ loss: { last: 0.125, min: 0.125, max: 1, count: 8 } });
    expect(metrics.points).toHaveLength(8);

    const finish = await t.app.inject({
      method: 'POST',
      url: `/api/v1/executions/${executionId}/finish`,
      headers,
      payload: { outcome: { state: 'Execution crushed', exitCode: 3, signal: null, reason: 'exit code 3', endedAt: t.clock.now + 5000 } },
    });
    expect(finish.statusCode).toBe(200);
    expect(finish.json().execution).toMatchObject({ id: executionId, sessionId, state: 'Execution crushed', exitCode: 3, durationMs: 5000, lineCount: 8 });
    const read = (await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}` })).json();
    expect(read.execution).toMatchObject({ state: 'Execution crushed', command: ['python3', 'train.py'] });
    expect(read.metrics.loss.count).toBe(8);
  });

  it('answers an idempotent execution resend with 200', async () => {
    const { claimKey } = await credentials(t.app);
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/executions`,
      headers: { authorization: `Bearer ${claimKey}` },
      payload: { id: executionId, name: 'train', command: ['python3', 'train.py'], startedAt: t.clock.now },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().execution.id).toBe(executionId);
  });

  it('refuses a metrics pattern that cannot run in linear time with 400 and stores nothing', async () => {
    const { claimKey } = await credentials(t.app);
    const headers = { authorization: `Bearer ${claimKey}` };
    const session = (await t.app.inject({ method: 'POST', url: '/api/v1/sessions', headers, payload: { title: 'p' } })).json().session;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${session.id}/executions`,
      headers,
      payload: { command: ['x'], startedAt: t.clock.now, metrics: { enabled: true, pattern: '(?<key>a)(?<value>1)\\1' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('USAGE');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${session.id}` })).json().executions).toEqual([]);
  });
});
