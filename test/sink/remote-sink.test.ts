import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RemoteSink } from '../../src/sink/remote-sink.js';
import { listSpool, readAcked, readMeta } from '../../src/spool/spool-files.js';
import { spoolDir } from '../../src/config/paths.js';
import type { Outcome, ReportLine } from '../../src/protocol/types.js';
import type { ExecutionInit } from '../../src/sink/sink.js';
import { tempHome } from '../helpers/cli.js';
import { fakeServer } from '../client/fake-server.js';

const init: ExecutionInit = { name: null, command: ['train'], cwd: '/', host: 'h', pid: process.pid, startedAt: 1, metrics: { enabled: true } };
const outcome: Outcome = { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 2 };
const line = (seq: number): ReportLine => ({ seq, ts: 1000 + seq, stream: 'stdout', text: `step=${seq}` });

describe('RemoteSink', () => {
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let notices: string[];
  let close: (() => Promise<void>) | undefined;
  beforeEach(() => {
    home = tempHome();
    env = { EXEC_TRACK_HOME: home.dir };
    notices = [];
  });
  afterEach(async () => {
    await close?.();
    home.cleanup();
  });

  const sink = (server: string, finishWaitMs = 5_000) => new RemoteSink({ server, env, finishWaitMs, stderr: (t) => notices.push(t) });

  it('streams every line once, records the outcome and empties the spool', async () => {
    const server = await fakeServer();
    close = server.close;
    const s = sink(server.url);
    const opened = await s.open(init);
    for (let seq = 0; seq < 30_000; seq++) s.write(line(seq));
    await s.finish(outcome);
    expect(server.lines.map((l) => l.seq)).toEqual(Array.from({ length: 30_000 }, (_, i) => i));
    expect(server.state.outcome).toEqual(outcome);
    expect(existsSync(`${spoolDir(env)}/${opened.executionId}`)).toBe(false);
    expect(notices).toEqual([]);
  });

  it('resumes from the server’s lastSeq after the connection drops, without gaps or duplicates', async () => {
    const server = await fakeServer({ dropAfterLines: 3_000 });
    close = server.close;
    const s = sink(server.url);
    await s.open(init);
    for (let seq = 0; seq < 50_000; seq++) s.write(line(seq));
    await s.finish(outcome);
    expect(server.state.drops).toBe(1);
    expect(server.state.connections).toBe(2);
    expect(server.lines.map((l) => l.seq)).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
    expect(notices).toEqual([]);
  });

  it('keeps retrying a refused upgrade with backoff and warns once', async () => {
    const server = await fakeServer();
    close = server.close;
    server.state.refuseUpgrades = 3;
    const s = sink(server.url);
    await s.open(init);
    for (let seq = 0; seq < 100; seq++) s.write(line(seq));
    await vi.waitFor(() => expect(server.lines).toHaveLength(100), { timeout: 10_000 });
    await s.finish(outcome);
    expect(server.state.outcome).toEqual(outcome);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^exec-track: .*HTTP 503.*spooling to .*exec-track sync/);
  });

  it.each([
    ['429 Too Many Requests', [/^exec-track: Too many requests from this machine; retry after 1 s; spooling to /], 1],
    ['401 Unauthorized', [], 2],
  ])('answers a refused upgrade (%s) as it says, then streams everything', async (refusal, expected, claims) => {
    const server = await fakeServer();
    close = server.close;
    Object.assign(server.state, { refusal, refuseUpgrades: 1 });
    const s = sink(server.url);
    await s.open(init);
    for (let seq = 0; seq < 100; seq++) s.write(line(seq));
    await vi.waitFor(() => expect(server.lines).toHaveLength(100), { timeout: 10_000 });
    await s.finish(outcome);
    expect(notices).toEqual(expected.map((re) => expect.stringMatching(re)));
    expect(server.state.claims).toBe(claims);
  });

  it('FC-16 variant: a server that never returns is waited for finishWaitMs without progress, then left to sync', async () => {
    const server = await fakeServer();
    const s = sink(server.url, 300);
    await s.open(init);
    for (let seq = 0; seq < 10; seq++) s.write(line(seq));
    await vi.waitFor(() => expect(server.lines).toHaveLength(10), { timeout: 10_000 });
    await server.close();
    for (let seq = 10; seq < 20; seq++) s.write(line(seq));
    await s.finish(outcome);
    expect(notices).toEqual([expect.stringMatching(/^exec-track: server http:\/\/127\.0\.0\.1:\d+ unreachable; spooling to /)]);
    const [entry] = listSpool(env);
    expect(entry!.meta).toMatchObject({ outcome, executionCreated: true });
    expect(readAcked(entry!.dir)).toBe(9);
  });

  it('gives up at the end on a server it never reached, without waiting the full finish wait', async () => {
    const s = sink('http://127.0.0.1:9', 60_000);
    await s.open(init);
    s.write(line(0));
    const started = Date.now();
    await s.finish(outcome);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('with the server unreachable, opens offline, warns once, and leaves lines and outcome in the spool', async () => {
    const s = sink('http://127.0.0.1:9');
    const opened = await s.open({ ...init, session: 'nightly' });
    for (let seq = 0; seq < 1_000; seq++) s.write(line(seq));
    await s.finish(outcome);
    expect(opened.executionId).toMatch(/^e_/);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^exec-track: server http:\/\/127\.0\.0\.1:9 unreachable; spooling to /);
    const [entry] = listSpool(env);
    expect(entry!.meta).toMatchObject({ outcome, session: { id: opened.sessionId, title: 'nightly' }, executionCreated: false });
    expect(readMeta(entry!.dir).execution.id).toBe(opened.executionId);
    expect(readdirSync(entry!.dir).sort()).toEqual(['alive', 'lines.ndjson', 'meta.json']);
  });
});
