import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { credentials, lines, sessionWithExecution, testApp, type TestApp } from './setup.js';
import { api, openSocket, setupExecution, wsUrl } from './wire.js';

const DAY = 86_400_000;

describe('time fields (fastify.inject)', () => {
  let t: TestApp;
  let claimKey: string;
  beforeEach(async () => {
    t = await testApp();
    ({ claimKey } = await credentials(t.app));
  });
  afterEach(() => t.close());
  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${claimKey}` }, payload });

  it.each([
    ['a time no Date can hold', 1e300],
    ['the last time a Date can hold, far in the future', 8.64e15],
    ['31 days before the server clock', -31 * DAY],
    ['2 days after the server clock', 2 * DAY],
  ])('refuses an execution started at %s with 400 naming startedAt, and stores nothing', async (_name, value) => {
    const session = (await post('/api/v1/sessions', { title: 'exp' })).json().session;
    const startedAt = Math.abs(value) > 1e12 ? value : t.clock.now + value;
    const res = await post(`/api/v1/sessions/${session.id}/executions`, { command: ['x'], startedAt });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
    expect(res.json().error.message).toContain('startedAt');
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${session.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json().executions).toEqual([]);
  });

  it('accepts a client clock 20 days slow or 12 hours fast', async () => {
    const session = (await post('/api/v1/sessions', { title: 'exp' })).json().session;
    for (const startedAt of [t.clock.now - 20 * DAY, t.clock.now + DAY / 2]) {
      expect((await post(`/api/v1/sessions/${session.id}/executions`, { command: ['x'], startedAt })).statusCode).toBe(201);
    }
  });

  it('refuses a report batch with ts 1e300 (400 naming lines.1.ts), stores none of it, and reads still answer 200', async () => {
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const batch = lines(0, 3);
    batch[1]!.ts = 1e300;
    const res = await post(`/api/v1/executions/${executionId}/reports`, { lines: batch });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('lines.1.ts');
    const far = lines(0, 1);
    far[0]!.ts = 8.64e15;
    const farRes = await post(`/api/v1/executions/${executionId}/reports`, { lines: far });
    expect(farRes.statusCode).toBe(400);
    expect(farRes.json().error.message).toContain('lines.0.ts');
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}/reports` });
    expect(read.statusCode).toBe(200);
    expect(read.json().reports).toEqual([]);
  });

  it('refuses a redraw time (frameTs) and an outcome endedAt outside the window, naming the field', async () => {
    const { executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    const batch = [{ ...lines(0, 1)[0]!, frames: ['a'], frameTs: [t.clock.now + 3 * DAY] }];
    const res = await post(`/api/v1/executions/${executionId}/reports`, { lines: batch });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('lines.0.frameTs.0');
    const fin = await post(`/api/v1/executions/${executionId}/finish`, {
      outcome: { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 1e300 },
    });
    expect(fin.statusCode).toBe(400);
    expect(fin.json().error.message).toContain('endedAt');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}` })).json().execution.state).toBe('Running');
  });

  it('reads rows an older build stored with impossible times without a 500', async () => {
    const { sessionId, executionId } = await sessionWithExecution(t.app, claimKey, t.clock.now);
    // what builds before schema 3 let through: straight into the store, past the API's checks
    await t.store.appendReports(executionId, [{ seq: 0, ts: 1e300, stream: 'stdout', text: 'loss=1' }]);
    await t.store.createExecution({
      id: 'e_BADBADBADBADBADBADBADB',
      sessionId,
      name: null,
      command: ['x'],
      cwd: '',
      host: '',
      pid: null,
      startedAt: 1e300,
      receivedAt: t.clock.now,
      metrics: { enabled: true },
    });
    await t.store.createExecution({
      id: 'e_FARFARFARFARFARFARFARF',
      sessionId,
      name: null,
      command: ['x'],
      cwd: '',
      host: '',
      pid: null,
      startedAt: 8.64e15,
      receivedAt: t.clock.now,
      metrics: { enabled: true },
    });
    const reports = await t.app.inject({ method: 'GET', url: `/api/v1/executions/${executionId}/reports` });
    expect(reports.statusCode).toBe(200);
    expect(reports.json().reports[0]).toMatchObject({ seq: 0, ts: null, text: 'loss=1' });
    const session = await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}` });
    expect(session.statusCode).toBe(200);
    const bad = session.json().executions.find((e: { id: string }) => e.id === 'e_BADBADBADBADBADBADBADB');
    expect(bad).toMatchObject({ startedAt: null, durationMs: null });
    const far = session.json().executions.find((e: { id: string }) => e.id === 'e_FARFARFARFARFARFARFARF');
    expect(far.durationMs).toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/executions/e_BADBADBADBADBADBADBADB' })).statusCode).toBe(200);
  });
});

describe('time fields on the stream socket (real process)', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess;
  beforeAll(async () => {
    home = tempHome();
    server = await startServer({ home: home.dir, args: ['--rate-limit', '0'] });
  });
  afterAll(async () => {
    await server.stop();
    home.cleanup();
  });

  it.each([
    ['ts 1e300 (zod)', { seq: 0, ts: 1e300, stream: 'stdout', text: 'a' }, 'lines.0.ts'],
    ['ts 8.64e15 (fast path)', { seq: 0, ts: 8.64e15, stream: 'stdout', text: 'a' }, 'lines.0.ts'],
    ['ts 9e15 (fast path, past the schema)', { seq: 0, ts: 9e15, stream: 'stdout', text: 'a' }, 'lines.0.ts'],
  ])('answers a lines frame with %s with an error frame naming the field, closes 1008 and stores nothing', async (_name, line, field) => {
    const { claimKey, executionId } = await setupExecution(server.url);
    const socket = await openSocket(wsUrl(server.url, `/api/v1/executions/${executionId}/stream`), claimKey);
    expect(await socket.next()).toEqual({ type: 'welcome', lastSeq: -1 });
    socket.send({ type: 'lines', lines: [line] });
    const error = await socket.next();
    expect(error).toMatchObject({ type: 'error', error: { code: 'BAD_REQUEST' } });
    expect(error.error.message).toContain(field);
    expect((await socket.closed).code).toBe(1008);
    const read = await api(server.url, `/api/v1/executions/${executionId}/reports`);
    expect(read.status).toBe(200);
    expect(read.body.reports).toEqual([]);
  });

  it('refuses a finish frame with an impossible endedAt', async () => {
    const { claimKey, executionId } = await setupExecution(server.url);
    const socket = await openSocket(wsUrl(server.url, `/api/v1/executions/${executionId}/stream`), claimKey);
    await socket.next();
    socket.send({ type: 'finish', outcome: { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 8.64e15 } });
    const error = await socket.next();
    expect(error.error.message).toContain('outcome.endedAt');
    expect((await socket.closed).code).toBe(1008);
    expect((await api(server.url, `/api/v1/executions/${executionId}`)).body.execution.state).toBe('Running');
  });
});
