import { describe, expect, it } from 'vitest';
import type { ReportLine } from '../../../src/protocol/types.js';
import { EXEC, lines, range } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The metrics part of the store contract (see index.ts). */
export function metricsContract(freshStore: FreshStore): void {
  describe('metrics at ingest', () => {
    it('counts steps per key from 0 across batches when the line gives none', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines([0, 1], (s) => `loss=${1 - s / 10}`),
      );
      await store.appendReports(
        EXEC,
        lines([2], () => 'acc: 0.5'),
      );
      await store.appendReports(
        EXEC,
        lines([3], () => 'loss=0.7 acc=0.6'),
      );
      expect((await store.metricPoints(EXEC)).map((p) => [p.key, p.step, p.value, p.seq, p.ts])).toEqual([
        ['acc', 0, 0.5, 2, 10_002],
        ['acc', 1, 0.6, 3, 10_003],
        ['loss', 0, 1, 0, 10_000],
        ['loss', 1, 0.9, 1, 10_001],
        ['loss', 2, 0.7, 3, 10_003],
      ]);
    });

    it('returns only points of lines after afterSeq, across and within batches', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines([0, 1, 2], (s) => `loss=${s}`),
      );
      await store.appendReports(
        EXEC,
        lines([3, 4], (s) => `loss=${s} acc=${s / 10}`),
      );
      const after = async (afterSeq: number, key?: string) => (await store.metricPoints(EXEC, key, { afterSeq })).map((p) => [p.key, p.seq]);
      expect(await after(1)).toEqual([
        ['acc', 3],
        ['acc', 4],
        ['loss', 2],
        ['loss', 3],
        ['loss', 4],
      ]);
      expect(await after(3, 'loss')).toEqual([['loss', 4]]);
      expect(await after(4)).toEqual([]);
      expect(await after(-1, 'acc')).toEqual([
        ['acc', 3],
        ['acc', 4],
      ]);
    });

    it('uses the step the line gives and stores the step key as a series too (FC-01)', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines([0, 1], (s) => `step=${s + 1} loss=${(0.5 - s / 10).toFixed(2)}`),
      );
      expect((await store.metricPoints(EXEC, 'loss')).map((p) => [p.step, p.value])).toEqual([
        [1, 0.5],
        [2, 0.4],
      ]);
      expect((await store.metricPoints(EXEC, 'step')).map((p) => [p.step, p.value])).toEqual([
        [1, 1],
        [2, 2],
      ]);
    });

    it('carries a step header and a table header per stream across ingest batches and a reopen (issue 14)', async () => {
      const { store, reopen } = await freshStore();
      const line = (seq: number, stream: 'stdout' | 'stderr', text: string): ReportLine => ({ seq, ts: 10_000 + seq, stream, text });
      await store.appendReports(EXEC, [line(0, 'stdout', 'Epoch 3/10'), line(1, 'stderr', '  Iter    Train Loss')]);
      await store.appendReports(EXEC, [line(2, 'stderr', 'warning: slow disk'), line(3, 'stdout', 'val loss: 0.5')]);
      await store.close();
      const reopened = await reopen();
      await reopened.appendReports(EXEC, [
        line(4, 'stderr', '  Iter    Train Loss'),
        line(5, 'stderr', '     7        0.2500'),
        line(6, 'stdout', 'loss: 0.4  [ 50/600]'),
      ]);
      expect((await reopened.metricPoints(EXEC)).map((p) => [p.key, p.step, p.value])).toEqual([
        ['Iter', 7, 7],
        ['Train Loss', 7, 0.25],
        ['loss', 3 * 600 + 50, 0.4],
        ['val loss', 3, 0.5],
      ]);
      await reopened.close();
    });

    it('reads one point per carriage-return redraw frame (FC-02)', async () => {
      const { store } = await freshStore();
      const line: ReportLine = {
        seq: 0,
        ts: 1,
        stream: 'stderr',
        text: 'train 100% loss=0.00',
        frames: ['', 'train   0% loss=1.00', 'train  25% loss=0.75', 'train  50% loss=0.50', 'train  75% loss=0.25'],
      };
      await store.appendReports(EXEC, [line, { seq: 1, ts: 2, stream: 'stderr', text: 'done' }]);
      expect((await store.metricPoints(EXEC, 'loss')).map((p) => [p.step, p.value])).toEqual([
        [0, 1],
        [1, 0.75],
        [2, 0.5],
        [3, 0.25],
        [4, 0],
      ]);
      expect((await store.readReports(EXEC)).map((l) => l.text)).toEqual(['train 100% loss=0.00', 'done']);
    });

    it('keeps a summary with last, min, max and count, NaN and infinities included', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines(range(0, 5), (s) => ['loss=0.5', 'loss=nan', 'loss=0.1', 'loss=0.9 acc=inf', 'loss=nan acc=-inf'][s]!),
      );
      expect(await store.metricSummary(EXEC)).toEqual({
        acc: { last: -Infinity, min: -Infinity, max: Infinity, count: 2 },
        loss: { last: Number.NaN, min: 0.1, max: 0.9, count: 5 },
      });
      expect((await store.metricPoints(EXEC, 'loss')).map((p) => p.value)).toEqual([0.5, Number.NaN, 0.1, 0.9, Number.NaN]);
    });

    it('does not read metrics twice from a resent line', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines([0], () => 'loss=1'),
      );
      await store.appendReports(
        EXEC,
        lines([0, 1], () => 'loss=1'),
      );
      expect((await store.metricSummary(EXEC)).loss!.count).toBe(2);
    });

    it.each([
      [{ enabled: false }, {}],
      [{ enabled: true, pattern: String.raw`(?<key>\w+)@(?<value>[\d.]+)` }, { loss: { last: 0.25, min: 0.25, max: 0.25, count: 1 } }],
    ])('follows the execution metrics config %j', async (metrics, summary) => {
      const { store } = await freshStore({ metrics });
      await store.appendReports(
        EXEC,
        lines([0], () => 'loss@0.25 acc=0.5'),
      );
      expect(await store.metricSummary(EXEC)).toEqual(summary);
    });
  });
}
