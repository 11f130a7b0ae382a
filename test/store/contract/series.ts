import { describe, expect, it } from 'vitest';
import type { ReportLine } from '../../../src/protocol/types.js';
import { downsample, type SeriesQuery } from '../../../src/store/downsample.js';
import type { Store } from '../../../src/store/store.js';
import { EXEC, lines, range } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The series of `key` downsampled from all its points read one by one: what `metricSeries` must answer when it reads points. */
export async function exactSeries(store: Store, key: string, q: SeriesQuery) {
  const points = await store.metricPoints(EXEC, key);
  const column = (f: (p: (typeof points)[number]) => number) => Float64Array.from(points, f);
  return downsample({ step: column((p) => p.step), seq: column((p) => p.seq), ts: column((p) => p.ts), value: column((p) => p.value) }, q);
}

/** A loss curve with one spike (99 at step 1234) and one dip (-5 at step 3001), in batches of `batch` lines. */
export async function storeCurve(store: Store, count: number, batch: number): Promise<void> {
  const value = (seq: number) => (seq === 1234 ? 99 : seq === 3001 ? -5 : 1 + (seq % 17) / 100);
  for (let from = 0; from < count; from += batch)
    await store.appendReports(
      EXEC,
      lines(range(from, Math.min(count, from + batch)), (seq) => `loss=${value(seq)}`),
    );
}

/** `metricSeries`, the points endpoint's read (src/store/downsample.ts), in the store contract (see index.ts). */
export function seriesContract(freshStore: FreshStore): void {
  describe('series for charts', () => {
    it('answers from the points exactly for few points, a range, an x of time, and points out of step order', async () => {
      const { store } = await freshStore();
      await storeCurve(store, 300, 100);
      const explicit = (seq: number, step: number, value: number): ReportLine => ({
        seq,
        ts: 20_000 + seq,
        stream: 'stdout',
        text: '',
        points: [{ key: 'lr', value, step, ts: 350 - seq }],
      });
      await store.appendReports(EXEC, [explicit(300, 9, 1), explicit(301, 3, Number.NaN), explicit(302, 5, 7)]);
      for (const q of [
        { x: 'step', buckets: 1000 },
        { x: 'step', buckets: 10 },
        { x: 'step', from: 20, to: 80, buckets: 5 },
        { x: 'ts', buckets: 7 },
        { x: 'step' },
      ] as SeriesQuery[]) {
        expect(await store.metricSeries(EXEC, 'loss', q)).toEqual(await exactSeries(store, 'loss', q));
      }
      expect(await store.metricSeries(EXEC, 'lr', { x: 'step', buckets: 2 })).toEqual({
        step: [3, 5, 9],
        ts: [49, 48, 50],
        value: [null, 7, 1],
        total: 3,
        downsampled: false,
      });
      expect(await store.metricSeries(EXEC, 'lr', { x: 'step', buckets: 1, from: 4 })).toEqual(
        await exactSeries(store, 'lr', { x: 'step', buckets: 1, from: 4 }),
      );
      expect(await store.metricSeries(EXEC, 'nope', { x: 'step', buckets: 10 })).toEqual({ step: [], ts: [], value: [], total: 0, downsampled: false });
    });

    it('reads a whole long series from block summaries: every spike at its own step, every point counted, at most two per bucket', async () => {
      const { store } = await freshStore();
      await storeCurve(store, 6000, 700);
      const q: SeriesQuery = { x: 'step', buckets: 20 };
      const out = await store.metricSeries(EXEC, 'loss', q);
      expect(out).toMatchObject({ total: 6000, downsampled: true });
      expect(out.step.length).toBeLessThanOrEqual(40);
      expect(out.step).toEqual([...out.step].sort((a, b) => a - b));
      expect(out.step[out.value.indexOf(99)]).toBe(1234);
      expect(out.step[out.value.indexOf(-5)]).toBe(3001);
      // each point drawn is a stored point, in the bucket of its own step
      const points = new Map((await store.metricPoints(EXEC, 'loss')).map((p) => [p.step, p]));
      out.step.forEach((step, i) => expect([points.get(step)!.value, points.get(step)!.ts]).toEqual([out.value[i], out.ts[i]]));
      // a zoom reads its range point by point
      const zoom: SeriesQuery = { x: 'step', from: 1200, to: 1300, buckets: 20 };
      expect(await store.metricSeries(EXEC, 'loss', zoom)).toEqual(await exactSeries(store, 'loss', zoom));
    });
  });
}
