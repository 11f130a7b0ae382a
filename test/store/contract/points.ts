import { describe, expect, it } from 'vitest';
import type { ReportLine } from '../../../src/protocol/types.js';
import { EXEC, lines } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** Explicit points records (issue 12) in the store contract (see index.ts). */
export function pointsContract(freshStore: FreshStore): void {
  const record = (seq: number, points: ReportLine['points']): ReportLine => ({ seq, ts: 10_000 + seq, stream: 'stdout', text: '', points });

  describe('explicit points records', () => {
    it('stores their points with their own step and time, takes their seq, and never shows them as lines', async () => {
      const { store } = await freshStore({ metrics: { enabled: false } });
      const batch = [
        ...lines([0]),
        record(1, [
          { key: 'sys/cpu', value: 12.5, step: 7, ts: 50 },
          { key: 'lr', value: 'NaN', ts: 51 },
        ]),
        ...lines([2]),
      ];
      expect(await store.appendReports(EXEC, batch)).toEqual({ lastSeq: 2, added: 3 });
      expect((await store.readReports(EXEC)).map((l) => l.seq)).toEqual([0, 2]);
      expect((await store.getExecution(EXEC))!.lineCount).toBe(2);
      expect(await store.metricPoints(EXEC)).toEqual([
        { key: 'lr', step: 0, seq: 1, ts: 51, value: Number.NaN },
        { key: 'sys/cpu', step: 7, seq: 1, ts: 50, value: 12.5 },
      ]);
    });

    it('continues the step count of a key, summarizes, and stores a resent record once', async () => {
      const { store } = await freshStore();
      await store.appendReports(EXEC, [record(0, [{ key: 'loss', value: 2, ts: 1 }])]);
      await store.appendReports(EXEC, [
        record(0, [{ key: 'loss', value: 2, ts: 1 }]),
        record(1, [
          { key: 'loss', value: 'Infinity', ts: 2 },
          { key: 'loss', value: 1, ts: 3 },
        ]),
      ]);
      expect((await store.metricPoints(EXEC, 'loss')).map((p) => [p.step, p.value])).toEqual([
        [0, 2],
        [1, Infinity],
        [2, 1],
      ]);
      expect((await store.metricSummary(EXEC)).loss).toEqual({ last: 1, min: 1, max: Infinity, count: 3 });
    });

    it('keeps sys/ keys to records: a printed line cannot write into them', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines([0], () => 'sys/cpu=99 loss=1'),
      );
      expect(Object.keys(await store.metricSummary(EXEC))).toEqual(['loss']);
    });
  });
}
