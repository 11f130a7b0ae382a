import { describe, expect, it } from 'vitest';
import { followFrame, streamServerFrame } from '../src/protocol/frames.js';
import { idPattern, isId, newId } from '../src/protocol/ids.js';
import { fromExecutionJson, toExecutionJson, toPointJson } from '../src/protocol/json.js';
import { executionJsonSchema, RESPONSES } from '../src/protocol/responses.js';
import type { Execution } from '../src/protocol/types.js';
import { checkFrame, checkResponse } from './helpers/protocol-check.js';

const execution: Execution = {
  id: newId('e'),
  sessionId: newId('s'),
  name: 'train',
  command: ['python3', 'train.py'],
  cwd: '/work/exp',
  host: 'box',
  pid: null,
  state: 'Running',
  exitCode: null,
  signal: null,
  reason: null,
  startedAt: Date.UTC(2026, 10, 30, 12),
  endedAt: null,
  lastSeenAt: null,
  receivedAt: Date.UTC(2026, 10, 30, 12),
  lineCount: 3,
  metrics: { enabled: true },
  context: null,
  usage: null,
};

describe('src/protocol schemas', () => {
  it('accept what the server builds and carry cwd and host through fromExecutionJson', () => {
    const json = executionJsonSchema.parse(JSON.parse(JSON.stringify(toExecutionJson(execution))));
    expect(fromExecutionJson(json)).toMatchObject({ cwd: '/work/exp', host: 'box', startedAt: execution.startedAt });
  });

  it('send metric points with an ISO 8601 ts and a non-finite value as null', () => {
    expect(toPointJson({ key: 'loss', step: 1, value: Number.NaN, ts: Date.UTC(2026, 10, 30, 12), seq: 4 })).toEqual({
      key: 'loss',
      step: 1,
      value: null,
      ts: '2026-11-30T12:00:00.000Z',
      seq: 4,
    });
  });

  it('refuse a frame that drifted from docs/api.md', () => {
    expect(streamServerFrame.safeParse({ type: 'ack', lastSeq: 3 }).success).toBe(true);
    expect(streamServerFrame.safeParse({ type: 'ack', lastSeq: '3' }).success).toBe(false);
    expect(followFrame.safeParse({ type: 'metrics', points: [{ key: 'k', step: 0, value: 1, ts: 1_700_000_000_000, seq: 0 }] }).success).toBe(false);
  });

  it('type the id pattern once', () => {
    expect(idPattern('s').test(newId('s'))).toBe(true);
    expect(isId('e', newId('s'))).toBe(false);
  });
});

describe('test/helpers/protocol-check.ts', () => {
  it('fails an answer whose body drifts from its route schema, and passes the real shape', () => {
    const body = { execution: toExecutionJson(execution), metrics: {} };
    expect(() => checkResponse('GET', `/api/v1/executions/${execution.id}?x=1`, 200, 'application/json; charset=utf-8', JSON.stringify(body))).not.toThrow();
    const drifted = { execution: { ...body.execution, startedAt: execution.startedAt } };
    expect(() => checkResponse('GET', `/api/v1/executions/${execution.id}`, 200, 'application/json', JSON.stringify(drifted))).toThrow(
      /GET \/api\/v1\/executions\/:id/,
    );
    expect(() => checkResponse('GET', '/api/v1/sessions', 404, 'application/json', JSON.stringify({ error: { code: 'NOT_FOUND' } }))).toThrow(/error body/);
  });

  it('fails a frame that drifts on the socket it came from', () => {
    expect(() => checkFrame(`ws://127.0.0.1:1/api/v1/executions/${execution.id}/stream`, { type: 'welcome', lastSeq: -1 })).not.toThrow();
    expect(() => checkFrame(`ws://127.0.0.1:1/api/v1/sessions/${execution.sessionId}/follow`, { type: 'reports', reports: [] })).toThrow(/frames\.ts/);
  });

  it('knows a schema for every route of docs/api.md it lists', () => {
    expect(Object.keys(RESPONSES)).toContain('GET /api/v1/executions/:id/metrics');
  });
});
