const BARS = '▁▂▃▄▅▆▇█';

/**
 * Averages `values` into at most `width` buckets (consecutive, as even as possible); fewer values
 * than `width` are kept as they are. Non-finite values are left out of a bucket's mean; a bucket
 * with none left is NaN.
 */
export function resample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.floor(((b + 1) * values.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    out.push(n === 0 ? Number.NaN : sum / n);
  }
  return out;
}

/**
 * A unicode sparkline (`▁▂▃▄▅▆▇█`) of the series in at most `width` cells, scaled between its
 * finite min and max. A flat series is drawn at mid height; NaN/±Infinity points are blanks.
 */
export function sparkline(values: readonly number[], width: number): string {
  const points = resample(values, Math.max(1, width));
  const finite = points.filter(Number.isFinite);
  if (finite.length === 0) return ' '.repeat(points.length);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return points
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      if (max === min) return BARS[3];
      return BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))];
    })
    .join('');
}
