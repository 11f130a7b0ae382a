import type { SeriesJson } from '../protocol/responses.js';
import { columnsOf } from './metric-series.js';
import { BLOCK_FIELDS, decodeBlocks } from './point-blocks.js';
import { decodeColumnsAt, emptyColumns, pointCount } from './point-chunks.js';
import type { PointColumns } from './store.js';

/** Which points of a series to send: the x they are bounded and bucketed by, an optional inclusive range, and a bucket count. */
export interface SeriesQuery {
  x: 'step' | 'ts';
  from?: number;
  to?: number;
  buckets?: number;
}

/** Calls its argument with runs of points that together are a series in (step, seq) order; the columns are valid during the call only. */
type Runs = (each: (c: PointColumns, n: number) => void) => void;

/**
 * The points of one series within `from`..`to` of `x`, reduced to at most 2·`buckets`: the x range
 * is cut into `buckets` equal slices and each keeps its lowest and highest finite value (the first
 * one in (step, seq) order among equals), in x order, so every spike stays visible (min/max
 * decimation); NaN and ±Infinity are left out then. Without `buckets`, or with few enough points,
 * all are kept in (step, seq) order, non-finite values as null. `total` counts the points in range.
 */
export function downsample(c: PointColumns, q: SeriesQuery): SeriesJson {
  return reduce((each) => each(c, c.step.length), q);
}

/**
 * {@link downsample} over the stored chunks of one series (blobs of src/store/point-chunks.ts, in
 * insertion order) without a column of the whole series: each chunk is decoded into one reused
 * chunk-sized buffer on each pass (order, x extent, buckets), so a million points cost three
 * passes over 20 MB of blobs and no allocation per point. Chunks whose
 * points are not in (step, seq) order are read whole and sorted first.
 */
export function downsampleChunks(blobs: readonly Buffer[], q: SeriesQuery): SeriesJson {
  const scratch = emptyColumns(blobs.reduce((n, b) => Math.max(n, pointCount(b)), 0));
  const chunks: Runs = (each) => {
    for (const blob of blobs) each(scratch, decodeColumnsAt(blob, scratch, 0));
  };
  let ordered = true;
  let step = -Infinity;
  let seq = -Infinity;
  chunks((c, n) => {
    for (let i = 0; i < n && ordered; i++) {
      ordered = step < c.step[i]! || (step === c.step[i] && seq <= c.seq[i]!);
      step = c.step[i]!;
      seq = c.seq[i]!;
    }
  });
  return ordered ? reduce(chunks, q) : downsample(columnsOf(blobs.map((points) => ({ points }))), q);
}

function reduce(runs: Runs, q: SeriesQuery): SeriesJson {
  const from = q.from ?? -Infinity;
  const to = q.to ?? Infinity;
  let total = 0;
  let lo = Infinity;
  let hi = -Infinity;
  runs((c, n) => {
    const xs = c[q.x];
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      if (x < from || x > to) continue;
      total++;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  });
  const out: SeriesJson = { step: [], ts: [], value: [], total, downsampled: false };
  if (q.buckets === undefined || total <= 2 * q.buckets) {
    runs((c, n) => {
      const xs = c[q.x];
      for (let i = 0; i < n; i++) if (xs[i]! >= from && xs[i]! <= to) push(out, c.step[i]!, c.ts[i]!, c.value[i]!);
    });
    return out;
  }
  const buckets = new Buckets(q.buckets, lo, hi);
  runs((c, n) => {
    const xs = c[q.x];
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      if (x >= from && x <= to && Number.isFinite(c.value[i]!)) buckets.add(x, c.step[i]!, c.ts[i]!, c.value[i]!);
    }
  });
  buckets.emit(out);
  out.downsampled = out.step.length < total;
  return out;
}

function push(out: SeriesJson, step: number, ts: number, value: number): void {
  out.step.push(step);
  out.ts.push(ts);
  out.value.push(Number.isFinite(value) ? value : null);
}

/** The lowest and highest point of each of `count` equal x slices of lo..hi, fed in (step, seq) order. */
class Buckets {
  readonly #lo: number;
  readonly #width: number;
  /** Per bucket and end (2·b for the min, 2·b + 1 for the max): the point's x, step, ts, value, and arrival number (-1: none). */
  readonly #x: Float64Array;
  readonly #step: Float64Array;
  readonly #ts: Float64Array;
  readonly #value: Float64Array;
  readonly #at: Float64Array;
  #arrived = 0;

  constructor(count: number, lo: number, hi: number) {
    this.#lo = lo;
    this.#width = (hi - lo) / count || 1;
    this.#x = new Float64Array(2 * count);
    this.#step = new Float64Array(2 * count);
    this.#ts = new Float64Array(2 * count);
    this.#value = new Float64Array(2 * count);
    this.#at = new Float64Array(2 * count).fill(-1);
  }

  add(x: number, step: number, ts: number, value: number): void {
    const b = Math.min(this.#at.length / 2 - 1, Math.floor((x - this.#lo) / this.#width));
    const at = this.#arrived++;
    if (this.#at[2 * b]! < 0 || value < this.#value[2 * b]!) this.#set(2 * b, x, step, ts, value, at);
    if (this.#at[2 * b + 1]! < 0 || value > this.#value[2 * b + 1]!) this.#set(2 * b + 1, x, step, ts, value, at);
  }

  /** Appends each bucket's min and max (one point when the same), in x order then arrival order, bucket by bucket. */
  emit(out: SeriesJson): void {
    for (let min = 0; min < this.#at.length; min += 2) {
      const max = min + 1;
      if (this.#at[min]! < 0) continue;
      const ends =
        this.#at[min] === this.#at[max]
          ? [min]
          : this.#x[min]! < this.#x[max]! || (this.#x[min] === this.#x[max] && this.#at[min]! < this.#at[max]!)
            ? [min, max]
            : [max, min];
      for (const e of ends) push(out, this.#step[e]!, this.#ts[e]!, this.#value[e]!);
    }
  }

  #set(e: number, x: number, step: number, ts: number, value: number, at: number): void {
    this.#x[e] = x;
    this.#step[e] = step;
    this.#ts[e] = ts;
    this.#value[e] = value;
    this.#at[e] = at;
  }
}

/** How many summary blocks each bucket must span on average before a chart is read from block summaries rather than from every point. */
const BLOCKS_PER_BUCKET = 4;

/**
 * {@link downsample} of a whole series by step, read from the block summaries of its chunks
 * (src/store/point-blocks.ts, in chunk order) instead of from every point: each block's lowest and
 * highest finite point goes to the bucket of its own step, so every spike is drawn where it is and
 * `total` counts every point. Near a bucket edge a bucket's min or max can be the extreme of a
 * block that straddles it rather than of its own points (at most one block, 64 points, off);
 * zooming reads points exactly. Null — read the points instead — for a range, an x of time, no
 * buckets, summaries out of step order, or too few blocks per bucket ({@link BLOCKS_PER_BUCKET}).
 */
export function downsampleBlocks(summaries: readonly Float64Array[], q: SeriesQuery): SeriesJson | null {
  if (q.x !== 'step' || q.from !== undefined || q.to !== undefined || q.buckets === undefined) return null;
  let blocks = 0;
  let total = 0;
  let last = -Infinity;
  for (const s of summaries) {
    for (let b = 0; b < s.length; b += BLOCK_FIELDS) {
      if (s[b + 1]! < last) return null;
      last = s[b + 2]!;
      total += s[b]!;
      blocks++;
    }
  }
  if (blocks < BLOCKS_PER_BUCKET * q.buckets || total <= 2 * q.buckets) return null;
  const lo = summaries.find((s) => s.length > 0)![1]!;
  const buckets = new Buckets(q.buckets, lo, last);
  for (const s of summaries) {
    for (let b = 0; b < s.length; b += BLOCK_FIELDS) {
      if (Number.isNaN(s[b + 3]!)) continue;
      // the min first unless the max comes before it: arrival order among equals stays step order
      const ends = s[b + 4] === s[b + 7] && s[b + 3] === s[b + 6] ? [3] : s[b + 4]! <= s[b + 7]! ? [3, 6] : [6, 3];
      for (const e of ends) buckets.add(s[b + e + 1]!, s[b + e + 1]!, s[b + e + 2]!, s[b + e]!);
    }
  }
  const out: SeriesJson = { step: [], ts: [], value: [], total, downsampled: true };
  buckets.emit(out);
  return out;
}

/** The decoded summaries of a series' chunks when every chunk has one (null: some chunk has none, so the points must be read). */
export function summariesWhenAll(blobs: readonly (Buffer | null)[]): Float64Array[] | null {
  return blobs.every((b): b is Buffer => b !== null) ? blobs.map(decodeBlocks) : null;
}
