import type { PointColumns } from '../store/store.js';

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

/** Which points to send: the x they are bounded and bucketed by, an optional inclusive range, and a bucket count. */
export interface SeriesQuery {
  x: 'step' | 'ts';
  from?: number;
  to?: number;
  buckets?: number;
}

/**
 * The points of one series (in step order) within `from`..`to` of `x`, reduced to at most
 * 2·`buckets`: the x range is cut into `buckets` equal slices and each keeps its lowest and highest
 * finite value, in x order, so every spike stays visible (min/max decimation); NaN and ±Infinity are
 * left out then. Without `buckets`, or with few enough points, all are kept (non-finite values as null).
 */
export function downsample(c: PointColumns, q: SeriesQuery): SeriesColumns {
  const xs = c[q.x];
  const from = q.from ?? -Infinity;
  const to = q.to ?? Infinity;
  const picked: number[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (x < from || x > to) continue;
    picked.push(i);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const out: SeriesColumns = { step: [], ts: [], value: [], total: picked.length, downsampled: false };
  const push = (i: number) => {
    out.step.push(c.step[i]!);
    out.ts.push(c.ts[i]!);
    out.value.push(Number.isFinite(c.value[i]!) ? c.value[i]! : null);
  };
  if (q.buckets === undefined || picked.length <= 2 * q.buckets) {
    picked.forEach(push);
    return out;
  }
  const buckets = q.buckets;
  const width = (hi - lo) / buckets || 1;
  let bucket = -1;
  let min = -1;
  let max = -1;
  const flush = () => {
    if (min < 0) return;
    if (min === max) push(min);
    else if (xs[min]! <= xs[max]!) {
      push(min);
      push(max);
    } else {
      push(max);
      push(min);
    }
  };
  for (const i of picked) {
    const b = Math.min(buckets - 1, Math.floor((xs[i]! - lo) / width));
    if (b !== bucket) {
      flush();
      bucket = b;
      min = max = -1;
    }
    const v = c.value[i]!;
    if (!Number.isFinite(v)) continue;
    if (min < 0 || v < c.value[min]!) min = i;
    if (max < 0 || v > c.value[max]!) max = i;
  }
  flush();
  out.downsampled = out.step.length < picked.length;
  return out;
}
