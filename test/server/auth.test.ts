import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/protocol/ids.js';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const outcome = { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: Date.UTC(2026, 10, 30, 13) };

describe('capability ids and keys', () => {
  it.each([
    ['a session never created', () => `/api/v1/sessions/${newId('s')}`],
    ['a malformed session id', () => '/api/v1/sessions/s_123'],
    ['an execution id given as a session id', () => `/api/v1/sessions/${newId('e')}`],
    ['an execution never created', () => `/api/v1/executions/${newId('e')}`],
    ['a malformed execution id', () => '/api/v1/executions/..%2F..%2Fetc'],
    ['an over-long session id', () => `/api/v1/sessions/s_${'A'.repeat(500)}`],
    ['reports of an unknown execution', () => `/api/v1/executions/${newId('e')}/reports`],
    ['metrics of an unknown execution', () => `/api/v1/executions/${newId('e')}/metrics`],
  ])('answers the same 404 for %s', async (_name, url) => {
    const res = await t.app.inject({ method: 'GET', url: url() });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    const reference = await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${newId('s')}` });
    expect(res.body).toBe(reference.body);
  });

  it('answers a deleted session exactly like one that never existed', async () => {
    const { claimKey } = await credentials(t.app);
    const { sessionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    await t.store.deleteSession(sessionId);
    const deleted = await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` });
    const never = await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${newId('s')}` });
    expect([deleted.statusCode, deleted.body]).toEqual([never.statusCode, never.body]);
  });

  it('lists only the caller’s own sessions, and only with a user token', async () => {
    const alice = await credentials(t.app);
    const bob = await credentials(t.app);
    await sessionWithExecution(t.app, alice.claimKey, t.clock.now);
    const { sessionId } = await sessionWithExecution(t.app, bob.claimKey, t.clock.now);
    const list = (await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: { authorization: `Bearer ${bob.token}` } })).json();
    expect(list.sessions.map((s: { id: string }) => s.id)).toEqual([sessionId]);
    for (const authorization of [undefined, `Bearer ${bob.claimKey}`, 'Bearer ut_forged']) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/sessions', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
  });

  it('refuses a claim key request without a valid user token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { authorization: 'Bearer ut_nope' } });
    expect(res.statusCode).toBe(401);
  });

  describe('writes', () => {
    const writes = (sessionId: string, executionId: string) => [
      { method: 'POST' as const, url: '/api/v1/sessions', payload: { title: 't' } },
      { method: 'POST' as const, url: `/api/v1/sessions/${sessionId}/executions`, payload: { command: ['x'], startedAt: 1 } },
      { method: 'POST' as const, url: `/api/v1/executions/${executionId}/reports`, payload: { lines: lines(0, 1) } },
      { method: 'POST' as const, url: `/api/v1/executions/${executionId}/finish`, payload: { outcome } },
    ];

    it.each([
      ['no key', undefined],
      ['a malformed key', 'Bearer ck_garbage'],
      ['a user token instead of a claim key', 'token'],
    ])('answer 401 with %s', async (_name, auth) => {
      const owner = await credentials(t.app);
      const ids = await sessionWithExecution(t.app, owner.claimKey, t.clock.now);
      const authorization = auth === 'token' ? `Bearer ${owner.token}` : auth;
      for (const write of writes(ids.sessionId, ids.executionId)) {
        const res = await t.app.inject({ ...write, headers: authorization ? { authorization } : {} });
        expect([write.url, res.statusCode, res.json().error.code]).toEqual([write.url, 401, 'UNAUTHORIZED']);
      }
    });

    it('answer 401 with an expired claim key, before saying anything about the id', async () => {
      const owner = await credentials(t.app);
      const ids = await sessionWithExecution(t.app, owner.claimKey, t.clock.now);
      t.clock.now += 86_400_000;
      for (const write of [...writes(ids.sessionId, ids.executionId), ...writes(newId('s'), newId('e'))]) {
        const res = await t.app.inject({ ...write, headers: { authorization: `Bearer ${owner.claimKey}` } });
        expect(res.statusCode).toBe(401);
      }
      const fresh = await t.app.inject({ method: 'POST', url: '/api/v1/claims', headers: { authorization: `Bearer ${owner.token}` } });
      const retry = await t.app.inject({ ...writes(ids.sessionId, ids.executionId)[2]!, headers: { authorization: `Bearer ${fresh.json().claimKey}` } });
      expect(retry.statusCode).toBe(200);
    });

    it('answer 403 with someone else’s claim key and store nothing', async () => {
      const owner = await credentials(t.app);
      const other = await credentials(t.app);
      const ids = await sessionWithExecution(t.app, owner.claimKey, t.clock.now);
      for (const write of writes(ids.sessionId, ids.executionId).slice(1)) {
        const res = await t.app.inject({ ...write, headers: { authorization: `Bearer ${other.claimKey}` } });
        expect([write.url, res.statusCode, res.json().error.code]).toEqual([write.url, 403, 'FORBIDDEN']);
      }
      expect(await t.store.readReports(ids.executionId)).toEqual([]);
      expect((await t.store.getExecution(ids.executionId))?.state).toBe('Running');
      expect(await t.store.listExecutions(ids.sessionId)).toHaveLength(1);
    });

    it('answer 404 for unknown ids with a valid claim key', async () => {
      const owner = await credentials(t.app);
      for (const write of writes(newId('s'), newId('e')).slice(1)) {
        const res = await t.app.inject({ ...write, headers: { authorization: `Bearer ${owner.claimKey}` } });
        expect(res.statusCode).toBe(404);
      }
    });

    it('answer 409 when a proposed id belongs to someone else, without showing it', async () => {
      const owner = await credentials(t.app);
      const other = await credentials(t.app);
      const ids = await sessionWithExecution(t.app, owner.claimKey, t.clock.now);
      const mine = await sessionWithExecution(t.app, other.claimKey, t.clock.now);
      const headers = { authorization: `Bearer ${other.claimKey}` };
      const session = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', headers, payload: { id: ids.sessionId, title: 'steal' } });
      const execution = await t.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${mine.sessionId}/executions`,
        headers,
        payload: { id: ids.executionId, command: ['x'], startedAt: t.clock.now },
      });
      for (const res of [session, execution]) {
        expect(res.statusCode).toBe(409);
        expect(Object.keys(res.json())).toEqual(['error']);
      }
      expect((await t.store.getSession(ids.sessionId))?.title).toBe('exp');
    });
  });
});
