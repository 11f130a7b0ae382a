import type { MetricPoint } from '../protocol/types.js';

/** One series as the points endpoint sends it: parallel arrays, NaN and ±Infinity as null. */
export interface SeriesColumns {
  step: number[];
  ts: number[];
  value: (number | null)[];
  /** Points in the asked range before downsampling. */
  total: number;
  /** True when fewer points are sent than `total`. */
  downsampled: boolean;
}

/**
 * Reduces points of one series (in step order) to at most 2·`buckets` points: the x range is cut
 * into `buckets` equal slices and each keeps its lowest and highest finite value, in x order, so
 * every spike stays visible (min/max decimation); NaN and ±Infinity are left out then. Without
 * `buckets`, or with few enough points, all are kept (non-finite values as null).
 */
export function downsample(points: readonly MetricPoint[], x: 'step' | 'ts', buckets: number | undefined): SeriesColumns {
  const out: SeriesColumns = { step: [], ts: [], value: [], total: points.length, downsampled: false };
  const push = (p: MetricPoint) => {
    out.step.push(p.step);
    out.ts.push(p.ts);
    out.value.push(Number.isFinite(p.value) ? p.value : null);
  };
  if (buckets === undefined || points.length <= 2 * buckets) {
    points.forEach(push);
    return out;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p[x]);
    hi = Math.max(hi, p[x]);
  }
  const width = (hi - lo) / buckets || 1;
  let bucket = -1;
  let min: MetricPoint | undefined;
  let max: MetricPoint | undefined;
  const flush = () => {
    if (!min || !max) return;
    if (min === max) push(min);
    else if (min[x] <= max[x]) (push(min), push(max));
    else (push(max), push(min));
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor((p[x] - lo) / width));
    if (b !== bucket) {
      flush();
      bucket = b;
      min = max = undefined;
    }
    if (!Number.isFinite(p.value)) continue;
    if (!min || p.value < min.value) min = p;
    if (!max || p.value > max.value) max = p;
  }
  flush();
  out.downsampled = out.step.length < points.length;
  return out;
}
