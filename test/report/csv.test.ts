import { describe, expect, it } from 'vitest';
import { CSV_HEADER, csvField, csvRows } from '../../src/report/csv.js';
import type { MetricPoint } from '../../src/protocol/types.js';
import { parseCsv } from './parse-csv.js';
import { T0 } from './data.js';

const id = 'e_xxxxxxxxxxxxxxxxxxxxx1';
const points: MetricPoint[] = [
  { key: 'loss', step: 0, value: 0.6931, ts: T0, seq: 0 },
  { key: 'learning_rate', step: 0, value: 4.5e-5, ts: T0 + 1, seq: 0 },
  { key: 'val,acc "best"', step: 12, value: 0.1 + 0.2, ts: T0 + 2, seq: 1 },
  { key: 'x', step: 1, value: Number.NaN, ts: T0 + 3, seq: 2 },
  { key: 'x', step: 2, value: Number.NEGATIVE_INFINITY, ts: T0 + 4, seq: 3 },
];

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [' padded', '" padded"'],
  ])('writes %j as %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });
});

describe('csvRows', () => {
  it('round-trips every point: execution, key, step, exact value and ISO time', () => {
    const text = `${CSV_HEADER}\n${csvRows(id, points)}`;
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(['execution', 'key', 'step', 'value', 'ts']);
    const back = rows.map(([execution, key, step, value, ts]) => ({ execution, key, step: Number(step), value: Number(value), ts: Date.parse(ts!) }));
    expect(back).toEqual(points.map((p) => ({ execution: id, key: p.key, step: p.step, value: p.value, ts: p.ts })));
  });

  it('writes times as ISO 8601 UTC', () => {
    expect(csvRows(id, points.slice(0, 1))).toBe(`${id},loss,0,0.6931,2026-11-30T12:00:00.000Z\n`);
  });
});
