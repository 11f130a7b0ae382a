import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/report/chart.js';
import type { MetricPoint } from '../../src/protocol/types.js';

const series = (values: number[]): MetricPoint[] => values.map((value, i) => ({ key: 'loss', step: i, value, ts: 0, seq: i }));

describe('renderChart', () => {
  it('labels the axis with the true max and min even when resampling averages the extremes away', () => {
    const values = Array.from({ length: 500 }, (_, e) => 1 / (e + 1));
    const lines = renderChart('loss', series(values), { columns: 60, rows: 20 }).split('\n');
    expect(lines[0]).toBe('loss: 500 points, steps 0…499');
    expect(Number(lines[1]!.split(/[┤┼]/)[0]!.trim())).toBe(1);
    expect(Number(lines.at(-1)!.split(/[┤┼]/)[0]!.trim())).toBe(0.002);
  });

  it('says so when there is no finite value to draw', () => {
    expect(renderChart('loss', series([Number.NaN]), { columns: 60, rows: 20 })).toBe('loss: 0 points, steps 0…0\n(no finite values to draw)');
  });
});
