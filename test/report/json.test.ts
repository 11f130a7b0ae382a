import { describe, expect, it } from 'vitest';
import { sessionDocument, writeExecutionDocument } from '../../src/report/json.js';
import type { ReportLine } from '../../src/protocol/types.js';
import { memoryOutput } from './memory-output.js';
import { execution, points, session, summary, T0 } from './data.js';

const e = execution({ id: 'e_AAAAAAAAAAAAAAAAAAAAAA', name: 'first', command: ['sh', '-c', 'exit 3'], state: 'Execution crushed', exitCode: 3, lineCount: 2 });
const lines: ReportLine[] = [
  { seq: 0, ts: T0 + 10, stream: 'stdout', text: 'epoch=1 loss=0.5' },
  { seq: 1, ts: T0 + 20, stream: 'stderr', text: 'fatal: out of disk', partial: true },
];

async function* pages(...groups: ReportLine[][]) {
  yield* groups;
}

describe('writeExecutionDocument', () => {
  it('writes exactly the DESIGN §4 execution document with the metrics summary', async () => {
    const out = memoryOutput();
    await writeExecutionDocument(out, { execution: e, metrics: { loss: summary([0.5]) } }, pages(lines));
    expect(JSON.parse(out.text())).toStrictEqual({
      execution: {
        id: 'e_AAAAAAAAAAAAAAAAAAAAAA',
        sessionId: 's_AAAAAAAAAAAAAAAAAAAAAA',
        name: 'first',
        command: ['sh', '-c', 'exit 3'],
        state: 'Execution crushed',
        exitCode: 3,
        signal: null,
        reason: null,
        startedAt: '2026-11-30T12:00:00.000Z',
        endedAt: '2026-11-30T12:00:01.000Z',
        durationMs: 1000,
        lineCount: 2,
        cwd: '/tmp',
        host: 'test',
        context: null,
        usage: null,
      },
      reports: [
        { seq: 0, ts: '2026-11-30T12:00:00.010Z', stream: 'stdout', text: 'epoch=1 loss=0.5' },
        { seq: 1, ts: '2026-11-30T12:00:00.020Z', stream: 'stderr', text: 'fatal: out of disk', partial: true },
      ],
      metrics: { loss: { last: 0.5, min: 0.5, max: 0.5, count: 1 } },
      resources: {},
    });
  });

  it("keeps the wrapper's sys/ resource series apart from the run's metrics", async () => {
    const out = memoryOutput();
    await writeExecutionDocument(out, { execution: e, metrics: { loss: summary([0.5]), 'sys/cpu_pct': summary([99]) } }, pages([]));
    const doc = JSON.parse(out.text());
    expect(Object.keys(doc.metrics)).toEqual(['loss']);
    expect(Object.keys(doc.resources)).toEqual(['sys/cpu_pct']);
  });

  it('streams pages into one document on one line, byte-equal to JSON.stringify', async () => {
    const split = memoryOutput();
    await writeExecutionDocument(split, { execution: e, metrics: {} }, pages([], [lines[0]!], [], [lines[1]!]));
    const whole = memoryOutput();
    await writeExecutionDocument(whole, { execution: e, metrics: {} }, pages(lines));
    expect(split.text()).toBe(whole.text());
    expect(split.text()).toBe(`${JSON.stringify(JSON.parse(whole.text()))}\n`);
  });

  it('adds every point with --points, ISO times, and spells non-finite values as strings', async () => {
    const out = memoryOutput();
    const series = points('loss', [0.5, Number.NaN, Number.POSITIVE_INFINITY]);
    await writeExecutionDocument(out, { execution: e, metrics: { loss: summary([0.5, Number.NaN, Number.POSITIVE_INFINITY]) } }, pages([]), series);
    const doc = JSON.parse(out.text());
    expect(Object.keys(doc)).toEqual(['execution', 'reports', 'metrics', 'resources', 'points']);
    expect(doc.metrics.loss).toEqual({ last: 'Infinity', min: 0.5, max: 0.5, count: 3 });
    expect(doc.points).toEqual([
      { key: 'loss', step: 0, value: 0.5, ts: '2026-11-30T12:00:00.000Z', seq: 0 },
      { key: 'loss', step: 1, value: 'NaN', ts: '2026-11-30T12:00:01.000Z', seq: 1 },
      { key: 'loss', step: 2, value: 'Infinity', ts: '2026-11-30T12:00:02.000Z', seq: 2 },
    ]);
  });
});

describe('sessionDocument', () => {
  it('has exactly the session and its executions', () => {
    const doc = sessionDocument({ session: session(), executions: [e] });
    expect(Object.keys(doc)).toEqual(['session', 'executions']);
    expect(doc.session).toStrictEqual({ id: 's_AAAAAAAAAAAAAAAAAAAAAA', title: 'regression models', createdAt: '2026-11-30T12:00:00.000Z' });
    expect(Object.keys(doc.executions[0]!)).toEqual([
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
  });
});
