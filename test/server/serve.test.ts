import { afterEach, describe, expect, it } from 'vitest';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { lines } from './setup.js';
import { api, openSocket, setupExecution, wsUrl } from './wire.js';

let home: ReturnType<typeof tempHome>;
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  home?.cleanup();
});

async function serve(args: string[] = []): Promise<ServerProcess> {
  home ??= tempHome();
  server = await startServer({ home: home.dir, args });
  return server;
}

describe('exec-track serve (real process)', () => {
  it('prints its listening line on 127.0.0.1 and answers /healthz', async () => {
    home = tempHome();
    const s = await serve();
    expect(s.output()).toMatch(/^exec-track: listening on http:\/\/127\.0\.0\.1:\d+\n/);
    expect((await api(s.url, '/healthz')).body).toEqual({ ok: true });
  });

  it('streams lines over the stream socket with welcome, acks, idempotent resends and finish', async () => {
    home = tempHome();
    const s = await serve();
    const { claimKey, executionId } = await setupExecution(s.url);
    const url = wsUrl(s.url, `/api/v1/executions/${executionId}/stream`);
    const socket = await openSocket(url, claimKey);
    expect(await socket.next()).toEqual({ type: 'welcome', lastSeq: -1 });
    socket.send({ type: 'lines', lines: lines(0, 5) });
    expect(await socket.next()).toEqual({ type: 'ack', lastSeq: 4 });
    socket.send({ type: 'lines', lines: lines(2, 5) });
    expect(await socket.next()).toEqual({ type: 'ack', lastSeq: 6 });
    socket.send({ type: 'lines', lines: lines(10, 2) });
    expect(await socket.next()).toEqual({ type: 'ack', lastSeq: 6 });
    socket.ws.close();
    await socket.closed;

    const again = await openSocket(url, claimKey);
    expect(await again.next()).toEqual({ type: 'welcome', lastSeq: 6 });
    again.send({ type: 'finish', outcome: { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: Date.now() } });
    expect(await again.next()).toEqual({ type: 'finished', state: 'Passive' });
    again.ws.close();

    const reports = await api(s.url, `/api/v1/executions/${executionId}/reports`);
    expect(reports.body.reports.map((r: { seq: number }) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect((await api(s.url, `/api/v1/executions/${executionId}`)).body.execution).toMatchObject({ state: 'Passive', lineCount: 7 });
  });

  it('acks frames that arrive back to back together, never more than 8 frames apart, and always the last', async () => {
    home = tempHome();
    const s = await serve();
    const { claimKey, executionId } = await setupExecution(s.url);
    const socket = await openSocket(wsUrl(s.url, `/api/v1/executions/${executionId}/stream`), claimKey);
    expect(await socket.next()).toEqual({ type: 'welcome', lastSeq: -1 });
    for (let frame = 0; frame < 40; frame++) socket.send({ type: 'lines', lines: lines(frame * 10, 10) });
    const acks: number[] = [];
    while (acks.at(-1) !== 399) acks.push((await socket.next()).lastSeq);
    expect(acks.length).toBeLessThan(40);
    acks.forEach((seq, i) => expect(seq - (acks[i - 1] ?? -1)).toBeLessThanOrEqual(80));
    socket.ws.close();
    expect((await api(s.url, `/api/v1/executions/${executionId}`)).body.execution).toMatchObject({ lineCount: 400 });
  });

  it('refuses stream upgrades without the owner’s claim key and follow upgrades for unknown ids', async () => {
    home = tempHome();
    const s = await serve();
    const { executionId } = await setupExecution(s.url);
    const other = await setupExecution(s.url);
    const stream = wsUrl(s.url, `/api/v1/executions/${executionId}/stream`);
    const refused = async (url: string, bearer?: string) =>
      openSocket(url, bearer).then(
        () => 0,
        (e: { status: number; body: string }) => [e.status, JSON.parse(e.body).error.code],
      );
    expect(await refused(stream)).toEqual([401, 'UNAUTHORIZED']);
    expect(await refused(stream, other.claimKey)).toEqual([403, 'FORBIDDEN']);
    expect(await refused(wsUrl(s.url, '/api/v1/executions/e_AAAAAAAAAAAAAAAAAAAAAA/follow'))).toEqual([404, 'NOT_FOUND']);
    expect(await refused(wsUrl(s.url, '/api/v1/nope'))).toEqual([404, 'NOT_FOUND']);
  });

  it('rate limits WebSocket upgrades like requests: 429 with Retry-After and a JSON error', async () => {
    home = tempHome();
    const s = await serve(['--rate-limit', '4']);
    // setupExecution makes exactly 4 requests, so the upgrade is the 5th
    const { executionId } = await setupExecution(s.url);
    const refused = await openSocket(wsUrl(s.url, `/api/v1/executions/${executionId}/follow`)).then(
      () => undefined,
      (e: { status: number; body: string; headers: Record<string, string> }) => e,
    );
    expect(refused?.status).toBe(429);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(3500);
    expect(JSON.parse(refused!.body).error.code).toBe('RATE_LIMITED');
    expect((await api(s.url, '/healthz')).status).toBe(200);
  });

  it('answers a line over --max-line with an error frame and close 1009, storing nothing of the frame', async () => {
    home = tempHome();
    const s = await serve(['--max-line', '50']);
    const { claimKey, executionId } = await setupExecution(s.url);
    const socket = await openSocket(wsUrl(s.url, `/api/v1/executions/${executionId}/stream`), claimKey);
    await socket.next();
    socket.send({ type: 'lines', lines: [...lines(0, 2), { seq: 2, ts: 1, stream: 'stderr', text: 'y'.repeat(51) }] });
    expect(await socket.next()).toMatchObject({ type: 'error', error: { code: 'TOO_LARGE', message: expect.stringContaining('--max-line') } });
    expect((await socket.closed).code).toBe(1009);
    expect((await api(s.url, `/api/v1/executions/${executionId}/reports`)).body.reports).toEqual([]);
  });

  it('sends a follower the backlog in batches, then live lines and state, and closes with 1000 at the end', async () => {
    home = tempHome();
    const s = await serve();
    const { claimKey, executionId } = await setupExecution(s.url);
    const path = `/api/v1/executions/${executionId}`;
    await api(s.url, `${path}/reports`, { body: { lines: lines(0, 2500) }, bearer: claimKey });
    const follow = await openSocket(wsUrl(s.url, `${path}/follow`));
    expect(await follow.next()).toMatchObject({ type: 'execution', execution: { id: executionId, state: 'Running' } });
    const seqs: number[] = [];
    while (seqs.length < 2500) {
      const frame = await follow.next();
      if (frame.type !== 'reports') continue;
      expect(frame.reports.length).toBeLessThanOrEqual(1000);
      seqs.push(...frame.reports.map((r: { seq: number }) => r.seq));
    }
    await api(s.url, `${path}/reports`, { body: { lines: lines(2500, 3) }, bearer: claimKey });
    await api(s.url, `${path}/finish`, {
      body: { outcome: { state: 'Execution crushed', exitCode: 2, signal: null, reason: 'exit code 2', endedAt: Date.now() } },
      bearer: claimKey,
    });
    let last;
    for (;;) {
      const frame = await follow.next().catch(() => undefined);
      if (!frame) break;
      if (frame.type === 'reports') seqs.push(...frame.reports.map((r: { seq: number }) => r.seq));
      last = frame;
    }
    expect(seqs).toEqual(Array.from({ length: 2503 }, (_, i) => i));
    expect(last).toMatchObject({ type: 'execution', execution: { state: 'Execution crushed', exitCode: 2 } });
    expect((await follow.closed).code).toBe(1000);
  });

  it('sends a follower points records that no line follows (resource samples while the command is silent), and resumes them by pointsAfter', async () => {
    home = tempHome();
    const s = await serve();
    const { claimKey, executionId } = await setupExecution(s.url);
    const path = `/api/v1/executions/${executionId}`;
    const follow = await openSocket(wsUrl(s.url, `${path}/follow`));
    expect(await follow.next()).toMatchObject({ type: 'execution' });
    const sample = (seq: number) => ({
      seq,
      ts: Date.now(),
      stream: 'stdout',
      text: '',
      points: [{ key: 'sys/rss_bytes', value: 1000 + seq, step: seq - 1, ts: Date.now() }],
    });
    await api(s.url, `${path}/reports`, {
      body: { lines: [{ seq: 0, ts: Date.now(), stream: 'stdout', text: 'first' }, sample(1), sample(2)] },
      bearer: claimKey,
    });
    const seen: Array<{ type: string; seq: number }> = [];
    while (seen.filter((f) => f.type === 'metrics').length < 2) {
      const frame = await follow.next();
      if (frame.type === 'reports') seen.push(...frame.reports.map((r: { seq: number }) => ({ type: 'reports', seq: r.seq })));
      if (frame.type === 'metrics') seen.push(...frame.points.map((p: { seq: number }) => ({ type: 'metrics', seq: p.seq })));
    }
    // no line after the samples, and still they come, after the line before them
    expect(seen).toEqual([
      { type: 'reports', seq: 0 },
      { type: 'metrics', seq: 1 },
      { type: 'metrics', seq: 2 },
    ]);
    follow.ws.close();
    await api(s.url, `${path}/reports`, { body: { lines: [sample(3)] }, bearer: claimKey });
    // a follower that had line 0 and points up to 2 gets point 3 only
    const resumed = await openSocket(wsUrl(s.url, `${path}/follow?after=0&pointsAfter=2`));
    expect(await resumed.next()).toMatchObject({ type: 'execution' });
    const next = await resumed.next();
    expect(next).toMatchObject({ type: 'metrics' });
    expect(next.points.map((p: { seq: number; value: number }) => [p.seq, p.value])).toEqual([[3, 1003]]);
    resumed.ws.close();
  });

  it('resumes a reconnecting follower after ?after=<seq> (lines) and ?pointsAfter=<seq> (metric points), and refuses a bad seq', async () => {
    home = tempHome();
    const s = await serve();
    const { claimKey, executionId } = await setupExecution(s.url);
    const path = `/api/v1/executions/${executionId}`;
    const metricLines = Array.from({ length: 10 }, (_, i) => ({ seq: i, ts: Date.now() + i, stream: 'stdout', text: `step=${i} loss=${i}` }));
    await api(s.url, `${path}/reports`, { body: { lines: metricLines }, bearer: claimKey });
    const follow = await openSocket(wsUrl(s.url, `${path}/follow?after=6&pointsAfter=4`));
    expect(await follow.next()).toMatchObject({ type: 'execution' });
    const reports = await follow.next();
    expect(reports.reports.map((r: { seq: number }) => r.seq)).toEqual([7, 8, 9]);
    const points = await follow.next();
    expect([...new Set(points.points.map((p: { seq: number }) => p.seq))]).toEqual([5, 6, 7, 8, 9]);
    follow.ws.close();
    const refused = await openSocket(wsUrl(s.url, `${path}/follow?after=x`)).then(
      () => 0,
      (e: { status: number; body: string }) => [e.status, JSON.parse(e.body).error.code],
    );
    expect(refused).toEqual([400, 'BAD_REQUEST']);
  });

  it('turns an execution whose stream socket dropped into Exec crushed (lost contact) after --heartbeat-timeout', async () => {
    home = tempHome();
    const s = await serve(['--heartbeat-timeout', '2s']);
    const { claimKey, executionId } = await setupExecution(s.url);
    const held = await setupExecution(s.url);
    const holder = await openSocket(wsUrl(s.url, `/api/v1/executions/${held.executionId}/stream`), held.claimKey);
    const socket = await openSocket(wsUrl(s.url, `/api/v1/executions/${executionId}/stream`), claimKey);
    await socket.next();
    socket.ws.terminate();
    let state = 'Running';
    let execution;
    for (let i = 0; i < 100 && state === 'Running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      execution = (await api(s.url, `/api/v1/executions/${executionId}`)).body.execution;
      state = execution.state;
    }
    expect(execution).toMatchObject({ state: 'Exec crushed', reason: 'lost contact' });
    expect((await api(s.url, `/api/v1/executions/${held.executionId}`)).body.execution.state).toBe('Running');
    holder.ws.close();
  });

  it('shuts down on SIGTERM (sockets closed 1001, exit 0) and a restart on the same DB keeps everything acked', async () => {
    home = tempHome();
    const s = await serve();
    const { claimKey, executionId } = await setupExecution(s.url);
    const socket = await openSocket(wsUrl(s.url, `/api/v1/executions/${executionId}/stream`), claimKey);
    await socket.next();
    for (let i = 0; i < 10; i++) socket.send({ type: 'lines', lines: lines(i * 100, 100) });
    let acked = -1;
    while (acked < 999) acked = (await socket.next()).lastSeq;
    const exited = new Promise<number | null>((resolve) => s.proc.once('exit', (code) => resolve(code)));
    s.proc.kill('SIGTERM');
    expect((await socket.closed).code).toBe(1001);
    expect(await exited).toBe(0);
    expect(s.output()).toContain('exec-track: stopped');

    const restarted = await serve();
    const reports = await api(restarted.url, `/api/v1/executions/${executionId}/reports?limit=10000`);
    expect(reports.body.reports.map((r: { seq: number }) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const resumed = await openSocket(wsUrl(restarted.url, `/api/v1/executions/${executionId}/stream`), claimKey);
    expect(await resumed.next()).toEqual({ type: 'welcome', lastSeq: 999 });
    resumed.ws.close();
  });
});
