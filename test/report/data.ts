import type { Execution, MetricPoint, MetricSummary, Session } from '../../src/protocol/types.js';

/** Hand-built records for the view tests. Times are fixed ms since epoch. */
export const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

export function session(overrides: Partial<Session> = {}): Session {
  return { id: 's_AAAAAAAAAAAAAAAAAAAAAA', title: 'regression models', createdAt: T0, ownerId: null, ...overrides };
}

let counter = 0;

export function execution(overrides: Partial<Execution> = {}): Execution {
  counter += 1;
  return {
    id: `e_${String(counter).padStart(22, 'x')}`,
    sessionId: 's_AAAAAAAAAAAAAAAAAAAAAA',
    name: null,
    command: ['python3', 'train.py'],
    cwd: '/tmp',
    host: 'test',
    pid: 1,
    state: 'Passive',
    exitCode: 0,
    signal: null,
    reason: null,
    startedAt: T0,
    endedAt: T0 + 1000,
    lastSeenAt: T0 + 1000,
    lineCount: 3,
    metrics: { enabled: true },
    context: null,
    usage: null,
    ...overrides,
  };
}

/** The summary of a series, as the store computes it. */
export function summary(values: number[]): MetricSummary {
  const finite = values.filter(Number.isFinite);
  return { last: values.at(-1)!, min: Math.min(...finite), max: Math.max(...finite), count: values.length };
}

/** Points of one key, steps 0.., one line per point. */
export function points(key: string, values: number[], firstSeq = 0): MetricPoint[] {
  return values.map((value, step) => ({ key, step, value, ts: T0 + step * 1000, seq: firstSeq + step }));
}
