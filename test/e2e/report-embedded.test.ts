import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { parseCsv } from '../report/parse-csv.js';

const KERAS = `
import random
random.seed(7)
for epoch in range(1, 501):
    loss, acc, vloss, vacc = [round(random.random(), 4) for _ in range(4)]
    print(f"Epoch {epoch}/500")
    print(f"1875/1875 [==============================] - 3s 2ms/step - loss: {loss:.4f} - accuracy: {acc:.4f} - val_loss: {vloss:.4f} - val_accuracy: {vacc:.4f}")
`;

/** The values the KERAS script prints, read from the same Python code (its random generator is not JavaScript's). */
function kerasExpected(): Record<string, number[]> {
  const script = KERAS.replace(/ +print\(f"Epoch.*\n/, '').replace(/print\(f"1875.*\)/, 'print(f"{loss:.4f} {acc:.4f} {vloss:.4f} {vacc:.4f}")');
  const rows = execFileSync('python3', ['-c', script], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number));
  return { loss: rows.map((r) => r[0]!), accuracy: rows.map((r) => r[1]!), val_loss: rows.map((r) => r[2]!), val_accuracy: rows.map((r) => r[3]!) };
}

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

const report = (args: string[], env?: NodeJS.ProcessEnv) => runCli(['report', ...args], { home: home.dir, env });
const run = (args: string[]) => runCli(['run', '--quiet', ...args], { home: home.dir });

describe('report on the embedded store', () => {
  it('says how to start a run when nothing was recorded yet (exit 1)', async () => {
    const result = await report([]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('exec-track run -- <command>');
    expect(result.out).toBe('');
  });

  it('prints an execution as exactly the DESIGN §4 JSON document with metrics', async () => {
    await run(['--name', 'fc03', '--', 'sh', '-c', 'printf "epoch=1 loss=0.5\\n"; printf "fatal: out of disk" >&2; exit 3']);
    const result = await report(['last', '--json']);
    expect(result.exitCode).toBe(0);
    const doc = JSON.parse(result.out);
    expect(Object.keys(doc)).toEqual(['execution', 'reports', 'metrics', 'resources']);
    expect(Object.keys(doc.execution)).toEqual([
      'id',
      'sessionId',
      'name',
      'command',
      'state',
      'exitCode',
      'signal',
      'reason',
      'startedAt',
      'endedAt',
      'durationMs',
      'lineCount',
      'cwd',
      'host',
      'context',
      'usage',
    ]);
    expect(doc.execution).toMatchObject({
      name: 'fc03',
      command: ['sh', '-c', 'printf "epoch=1 loss=0.5\\n"; printf "fatal: out of disk" >&2; exit 3'],
      state: 'Execution crushed',
      exitCode: 3,
      signal: null,
      lineCount: 2,
    });
    expect(doc.execution.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(doc.execution.durationMs).toBe(Date.parse(doc.execution.endedAt) - Date.parse(doc.execution.startedAt));
    expect(doc.reports.map((r: { seq: number; stream: string; text: string; partial?: boolean }) => [r.seq, r.stream, r.text, r.partial ?? false])).toEqual([
      [0, 'stdout', 'epoch=1 loss=0.5', false],
      [1, 'stderr', 'fatal: out of disk', true],
    ]);
    expect(doc.metrics.loss).toEqual({ last: 0.5, min: 0.5, max: 0.5, count: 1 });
  });

  it('prints a session as exactly {session, executions}', async () => {
    await run(['--', 'sh', '-c', 'exit 0']);
    await run(['--', 'sh', '-c', 'exit 4']);
    const doc = JSON.parse((await report(['--json'])).out);
    expect(Object.keys(doc)).toEqual(['session', 'executions']);
    expect(Object.keys(doc.session)).toEqual(['id', 'title', 'createdAt']);
    expect(doc.executions.map((e: { exitCode: number }) => e.exitCode)).toEqual([0, 4]);
  });

  it('reads 500 Keras-style epochs back as 4 series of 500 exact points', async () => {
    const expected = kerasExpected();
    const ran = await run(['--', 'python3', '-c', KERAS]);
    expect(ran.exitCode).toBe(0);
    const result = await report(['last', '--json', '--points', '--lines', '0']);
    const doc = JSON.parse(result.out);
    expect(doc.reports).toEqual([]);
    for (const [key, values] of Object.entries(expected)) {
      const series = doc.points.filter((p: { key: string }) => p.key === key);
      expect(
        series.map((p: { value: number }) => p.value),
        key,
      ).toEqual(values);
      // the `Epoch N/500` header carries its step to the Keras line after it (docs/metrics.md)
      expect(series.map((p: { step: number }) => p.step)).toEqual(values.map((_, i) => i + 1));
      expect(doc.metrics[key]).toEqual({ last: values.at(-1), min: Math.min(...values), max: Math.max(...values), count: 500 });
    }

    const csv = parseCsv((await report(['last', '--format', 'csv'])).out);
    expect(csv[0]).toEqual(['execution', 'key', 'step', 'value', 'ts']);
    const back = csv.slice(1).map(([execution, key, step, value, ts]) => ({ execution, key, step: Number(step), value: Number(value), ts }));
    expect(back).toEqual(
      doc.points.map((p: { key: string; step: number; value: number; ts: string }) => ({
        execution: doc.execution.id,
        key: p.key,
        step: p.step,
        value: p.value,
        ts: p.ts,
      })),
    );
  });

  it('shows the execution view: header, metrics with sparkline, last lines with stderr marked', async () => {
    await run(['--', 'sh', '-c', 'for i in 1 2 3 4 5; do echo "step=$i loss=0.$((9 - i))"; done; echo oops >&2; exit 2']);
    const result = await report(['last', '--lines', '3']);
    expect(result.exitCode).toBe(0);
    expect(result.out).toMatch(/state +Execution crushed +\(exit 2\)/);
    expect(result.out).toMatch(/loss +0\.4 +0\.4 +0\.8 +5 +█▆▄▃▁/);
    expect(result.out).toContain('── last 3 of 6 lines ──');
    expect(result.out.trimEnd().split('\n').slice(-3)).toEqual(['│ step=4 loss=0.5', '│ step=5 loss=0.4', '! oops']);
  });
});

describe('report on one recorded execution', () => {
  let shared: { dir: string; cleanup: () => void };
  const reportShared = (args: string[], env?: NodeJS.ProcessEnv) => runCli(['report', ...args], { home: shared.dir, env });
  beforeAll(async () => {
    shared = tempHome();
    expect((await runCli(['run', '--quiet', '--', 'sh', '-c', 'echo loss=1; exit 1'], { home: shared.dir })).exitCode).toBe(1);
  });
  afterAll(() => shared.cleanup());

  it.each([
    ['an unknown execution', 1, ['e_AAAAAAAAAAAAAAAAAAAAAA'], /No execution e_A+ found/],
    ['an unknown session', 1, ['s_AAAAAAAAAAAAAAAAAAAAAA'], /No session s_A+ found/],
    ['a malformed target', 2, ['e_short'], /is not a session id/],
    ['a bad --lines value', 2, ['--lines', 'ten'], /--lines expects/],
    ['a negative --lines value', 2, ['--lines', '-3'], /--lines expects/],
    ['an unknown --sort column', 2, ['--sort', 'speed'], /--sort expects/],
    ['--points without --json', 2, ['--points'], /--points/],
    [
      '--chart in the session view',
      2,
      ['--chart', 'loss'],
      /^exec-track: --chart draws one execution's metric, and s_\S+ is a session; give an execution id .*`--metric loss`\.$/m,
    ],
  ])('answers %s with exit %i and one sentence', async (_, code, args, message) => {
    const result = await reportShared(args);
    expect(result.exitCode).toBe(code);
    expect(result.err).toMatch(message);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.out).toBe('');
  });

  it.each([['--json'], ['--format', 'json']])('answers an unknown id with a JSON error on stderr with %s', async (...flags) => {
    const result = await reportShared(['e_AAAAAAAAAAAAAAAAAAAAAA', ...flags]);
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.err)).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/^No execution e_A+ found/) } });
    expect(result.out).toBe('');
  });

  it.each([
    ['NO_COLOR set', { NO_COLOR: '1' }, false],
    ['stdout not a TTY', { NO_COLOR: '' }, false],
    ['FORCE_COLOR set', { NO_COLOR: '', FORCE_COLOR: '1' }, true],
  ])('prints escape codes only when asked (%s)', async (_, env, colour) => {
    for (const args of [[], ['last']]) {
      const result = await reportShared(args, env);
      expect(result.exitCode).toBe(0);
      expect(result.out.includes('\x1b[')).toBe(colour);
    }
  });
});
