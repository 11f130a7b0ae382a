import { describe, expect, it } from 'vitest';
// @ts-expect-error the harness is plain ESM JavaScript without type declarations
import { formatTable, makeRow, median, verdict } from '../../bench/lib/stats.mjs';

describe('bench stats', () => {
  it.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1000], 10],
  ])('takes the median of %j as %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('refuses the median of no samples', () => {
    expect(() => median([])).toThrow();
  });

  it.each([
    ['passes a ratio within the target', { baselineSamples: [100, 110, 90], samples: [150, 190, 160] }, 1.6, 'pass'],
    ['fails a ratio above the target', { baselineSamples: [100], samples: [250] }, 2.5, 'FAIL'],
    ['passes an absolute bound without a baseline', { samples: [120, 140, 130] }, null, 'pass'],
  ])('%s', (_name, samples, ratio, expected) => {
    const row = makeRow({
      id: 'Bx',
      what: 'x',
      unit: samples.baselineSamples ? 'ms' : 'MB',
      target: samples.baselineSamples ? 2.0 : 150,
      ok: true,
      ...samples,
    });
    expect(row.ratio).toBe(ratio);
    expect(verdict(row)).toBe(expected);
  });

  it('marks a fast wrong answer WRONG, never pass', () => {
    const row = makeRow({ id: 'B2', what: 'x', unit: 'ms', target: 2.0, baselineSamples: [100], samples: [1], ok: false, note: 'expected 10 lines, found 9' });
    expect(row.pass).toBe(false);
    expect(verdict(row)).toBe('WRONG');
  });

  it('gives a reference row no verdict on speed', () => {
    const row = makeRow({ id: 'tsp', what: 'x', unit: 'ms', target: null, baselineSamples: [100], samples: [500], ok: true });
    expect(verdict(row)).toBe('ref');
  });

  it('prints one aligned row per benchmark with its ratio, target and verdict, then the notes', () => {
    const rows = [
      makeRow({ id: 'B2', what: 'cat', unit: 'ms', target: 2.0, baselineSamples: [1000], samples: [1500], ok: true }),
      makeRow({ id: 'B7', what: 'rss', unit: 'MB', target: 150, samples: [160.25], ok: true, note: 'over the bound' }),
    ];
    const lines = formatTable(rows).split('\n');
    expect(lines[0]).toMatch(/^name\s+baseline\s+exec-track\s+ratio\s+target\s+result$/);
    expect(lines[2]).toMatch(/^B2 cat\s+1000 ms\s+1500 ms\s+1\.50×\s+≤ 2\.00×\s+pass$/);
    expect(lines[3]).toMatch(/^B7 rss\s+—\s+160\.3 MB\s+—\s+≤ 150 MB\s+FAIL$/);
    expect(new Set(lines.slice(0, 4).map((l) => l.length)).size).toBe(1);
    expect(lines.at(-1)).toBe('  B7: over the bound');
  });
});
