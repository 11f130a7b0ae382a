import { describe, expect, it } from 'vitest';
import { resample, sparkline } from '../../src/report/sparkline.js';

describe('sparkline', () => {
  it('draws the lowest value as ▁ and the highest as █', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
  });

  it('never stretches a short series beyond its points', () => {
    expect(sparkline([1, 2], 30)).toBe('▁█');
  });

  it('resamples a long series to the width by averaging buckets', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const line = sparkline(values, 10);
    expect([...line]).toHaveLength(10);
    expect(line.startsWith('▁')).toBe(true);
    expect(line.endsWith('█')).toBe(true);
  });

  it('draws a flat series at mid height', () => {
    expect(sparkline([0.5, 0.5, 0.5], 3)).toBe('▄▄▄');
  });

  it('leaves non-finite points blank', () => {
    expect(sparkline([0, Number.NaN, 1, Number.POSITIVE_INFINITY], 4)).toBe('▁ █ ');
  });
});

describe('resample', () => {
  it('averages consecutive buckets of equal size', () => {
    expect(resample([1, 3, 5, 7, 9, 11], 3)).toEqual([2, 6, 10]);
  });

  it('ignores non-finite values inside a bucket', () => {
    expect(resample([1, Number.NaN, 5, 7], 2)).toEqual([1, 6]);
  });
});
