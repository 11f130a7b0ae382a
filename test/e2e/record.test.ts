import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, collect, runCli } from '../helpers/cli.js';
import { serverHome } from '../helpers/server-home.js';

const events = (...list: unknown[]) => list.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') + '\n';
const start = { type: 'start', protocol: 1, name: 'blk', session: 'sidecar', description: 'cell 1' };
/** Capture times a moment ago: a server refuses times far from its clock (docs/api.md "Times"). */
const T = Date.now();

describe('exec-track record (the sidecar)', () => {
  const suite = serverHome('all');

  it.each([
    ['the embedded store', {}],
    ['a server', 'server'],
  ])('records lines, parsed and explicit metrics and a failure into %s, exported as JSON and CSV', async (_where, target) => {
    const env = target === 'server' ? { EXEC_TRACK_SERVER: suite.server.url } : {};
    const input = events(
      start,
      { type: 'line', stream: 'stdout', text: 'epoch=1 loss=0.5', ts: T + 0 },
      { type: 'metrics', values: { acc: 0.9, lr: 'NaN' }, step: 3, ts: T + 1 },
      { type: 'line', stream: 'stderr', text: 'API_TOKEN=s3cr3t-value-123', ts: T + 2 },
      { type: 'metrics', values: { acc: 0.95 }, ts: T + 3 },
      { type: 'finish', ok: false, reason: 'ValueError: bad', ts: T + 4 },
    );
    const ran = await runCli(['record'], { home: suite.home.dir, input, env: { ...env, API_TOKEN: 's3cr3t-value-123' } });
    expect(ran.err).toBe('');
    expect(ran.exitCode).toBe(0);
    const [started, finished] = ran.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(finished).toEqual({ type: 'finished', state: 'Execution crushed' });
    const doc = JSON.parse((await runCli(['report', started.executionId, '--json', '--points'], { home: suite.home.dir, env })).out);
    expect(doc.execution).toMatchObject({ name: 'blk', command: ['cell 1'], state: 'Execution crushed', reason: 'ValueError: bad', lineCount: 2 });
    expect(doc.reports.map((r: { seq: number; text: string }) => `${r.seq}:${r.text}`)).toEqual(['0:epoch=1 loss=0.5', '2:API_TOKEN=[REDACTED]']);
    expect(doc.metrics.acc).toEqual({ last: 0.95, min: 0.9, max: 0.95, count: 2 });
    expect(doc.points.map((p: { key: string; step: number; value: unknown }) => `${p.key}@${p.step}=${p.value}`)).toEqual([
      'acc@3=0.9',
      'acc@4=0.95',
      'epoch@1=1',
      'loss@1=0.5',
      'lr@3=NaN',
    ]);
    const csv = (await runCli(['report', started.executionId, '--format', 'csv'], { home: suite.home.dir, env })).out.split('\n');
    expect(csv).toContain(`${started.executionId},acc,3,0.9,${new Date(T + 1).toISOString()}`);
  });

  it('reports a malformed event in one line and keeps the rest; stdin closed without finish → Exec crushed', async () => {
    const ran = await runCli(['record'], {
      home: suite.home.dir,
      input: events(
        start,
        { type: 'line', stream: 'stdout', text: 'kept' },
        'not json',
        { type: 'metrics', values: {} },
        { type: 'metrics', values: { 'sys/cpu_pct': 5 } },
      ),
    });
    expect(ran.exitCode).toBe(0);
    expect(ran.err).toBe(
      'exec-track: event 3 is not JSON; it was ignored, the execution keeps what it had (docs/clients.md).\n' +
        'exec-track: event 4 is not valid: values: values must hold 1 to 1000 keys; it was ignored, the execution keeps what it had (docs/clients.md).\n' +
        "exec-track: event 5 is not valid: values.sys/cpu_pct: keys under sys/ are exec-track's own resource samples; it was ignored, the execution keeps what it had (docs/clients.md).\n",
    );
    const doc = JSON.parse((await runCli(['report', 'last', '--json'], { home: suite.home.dir })).out);
    expect(doc.execution).toMatchObject({ state: 'Exec crushed', reason: 'the client vanished: its events ended without finish', lineCount: 1 });
    expect(doc.reports.map((r: { text: string }) => r.text)).toEqual(['kept']);
  });

  it('refuses a first event that is not start with exit 2 and records nothing', async () => {
    const ran = await runCli(['record'], { home: suite.home.dir, input: events({ type: 'line', stream: 'stdout', text: 'x' }) });
    expect(ran.exitCode).toBe(2);
    expect(ran.err).toBe('exec-track: The first event must be {"type":"start","protocol":2,…}, but it is "line"; see docs/clients.md.\n');
    const wrongVersion = await runCli(['record'], { home: suite.home.dir, input: events({ ...start, protocol: 9 }) });
    expect(wrongVersion.exitCode).toBe(2);
    expect(wrongVersion.err).toMatch(/but it is not valid: protocol: /);
  });

  it('records output events (protocol 2): raw bytes cut anywhere, split into lines in order with line events', async () => {
    const output = (stream: string, data: string | Buffer) => {
      const bytes = Buffer.from(data);
      return Buffer.concat([Buffer.from(`${JSON.stringify({ type: 'output', stream, bytes: bytes.length, ts: T })}\n`), bytes]);
    };
    const euro = Buffer.from('€');
    const input = Buffer.concat([
      Buffer.from(events({ ...start, protocol: 2 })),
      output('stdout', Buffer.concat([Buffer.from('loss=0.5 {"type":"finish","ok":true}\nprice '), euro.subarray(0, 2)])),
      output('stdout', Buffer.concat([euro.subarray(2), Buffer.from('\nhalf')])),
      output('stderr', 'an error\n'),
      Buffer.from(events({ type: 'line', stream: 'stderr', text: 'a line event' })),
      output('stdout', ' line\nno newline at the end'),
      Buffer.from(events({ type: 'finish', ok: true })),
    ]);
    const ran = await runCli(['record'], { home: suite.home.dir, input });
    expect(ran.err).toBe('');
    const doc = JSON.parse((await runCli(['report', 'last', '--json', '--points'], { home: suite.home.dir })).out);
    expect(doc.execution).toMatchObject({ state: 'Passive', lineCount: 6 });
    expect(doc.reports.map((r: { stream: string; text: string }) => `${r.stream}:${r.text}`)).toEqual([
      'stdout:loss=0.5 {"type":"finish","ok":true}',
      'stdout:price €',
      'stderr:an error',
      'stderr:a line event',
      'stdout:half line',
      'stdout:no newline at the end',
    ]);
    expect(doc.points.map((p: { key: string; value: number }) => `${p.key}=${p.value}`)).toEqual(['loss=0.5']);
  });

  it('records an output event whose bytes arrive in pieces, far apart', async () => {
    const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `row ${String(i).padStart(6, '0')} of the big write`).join('\n') + '\n');
    const child = spawn(process.execPath, [BIN, 'record'], { env: cliEnv(suite.home.dir) });
    child.stdin.write(events({ ...start, protocol: 2 }) + `${JSON.stringify({ type: 'output', stream: 'stdout', bytes: text.length })}\n`);
    // reads that complete no event: the sidecar must wait for the rest, not take them for the end
    for (let at = 0; at < text.length; at += 200_000) {
      child.stdin.write(text.subarray(at, at + 200_000));
      await sleep(300);
    }
    const ran = await collect(child, events({ type: 'finish', ok: true }));
    expect(ran.err).toBe('');
    const doc = JSON.parse((await runCli(['report', 'last', '--json', '--lines', 'all'], { home: suite.home.dir })).out);
    expect(doc.execution).toMatchObject({ state: 'Passive', lineCount: 20_000 });
    expect(doc.reports.at(-1).text).toBe('row 019999 of the big write');
  });

  it('is driven by the POSIX shell client in examples/', async () => {
    const script = resolve(import.meta.dirname, '../../examples/exec-track.sh');
    const ran = await collect(spawn('sh', [script, 'demo'], { env: cliEnv(suite.home.dir, { EXEC_TRACK_BIN: `${process.execPath} ${BIN}` }) }));
    expect(ran.exitCode).toBe(0);
    const doc = JSON.parse((await runCli(['report', 'last', '--json', '--points'], { home: suite.home.dir })).out);
    expect(doc.execution).toMatchObject({ name: 'shell demo', state: 'Passive' });
    expect(doc.reports.map((r: { text: string }) => r.text)).toEqual(['step 1', 'step 2', 'step 3', 'a "quoted" warning']);
    expect(doc.points.map((p: { value: number }) => p.value)).toEqual([0.9, 0.8, 0.7]);
  });
});
