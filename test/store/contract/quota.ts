import { describe, expect, it } from 'vitest';
import { EXEC, lines, range } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The quota part of the store contract (see index.ts). */
export function quotaContract(freshStore: FreshStore): void {
  const marker = (dropped: number) => `[exec-track: ${dropped} lines dropped by the line quota]`;

  describe('line quota', () => {
    it('keeps the first half and a rolling last half, with one marker line at the gap', async () => {
      const { store } = await freshStore({ lineQuota: 10 });
      for (const seq of range(0, 25)) await store.appendReports(EXEC, lines([seq]));
      const read = await store.readReports(EXEC);
      expect(read.map((l) => l.seq)).toEqual([0, 1, 2, 3, 4, 5, 20, 21, 22, 23, 24]);
      expect(read[5]).toEqual({ seq: 5, ts: 10_020, stream: 'stderr', text: marker(15) });
      const e = (await store.getExecution(EXEC))!;
      expect(e.lineCount).toBe(10);
    });

    it("gives the marker the time of the first line after the gap when that seq is a points record (a resource sample's)", async () => {
      const { store } = await freshStore({ lineQuota: 10 });
      const sample = (seq: number) => ({
        seq,
        ts: 10_000 + seq,
        stream: 'stdout' as const,
        text: '',
        points: [{ key: 'sys/cpu_pct', value: 1, ts: 10_000 + seq }],
      });
      // seqs 0..24; 20 (the first after the gap) and 21 are samples, the first line kept after the gap is 22
      await store.appendReports(EXEC, [...lines(range(0, 20)), sample(20), sample(21), ...lines(range(22, 25))]);
      const read = await store.readReports(EXEC);
      expect(read.map((l) => l.seq)).toEqual([0, 1, 2, 3, 4, 5, 22, 23, 24]);
      expect(read[5]).toMatchObject({ seq: 5, ts: 10_022, text: marker(15) });
    });

    it('gives the same result when one batch overflows the quota many times', async () => {
      const { store } = await freshStore({ lineQuota: 10 });
      expect(await store.appendReports(EXEC, lines(range(0, 8)))).toEqual({ lastSeq: 7, added: 8 });
      expect(await store.appendReports(EXEC, lines(range(8, 100)))).toEqual({ lastSeq: 99, added: 92 });
      expect((await store.readReports(EXEC)).map((l) => l.text)).toEqual([
        ...range(0, 5).map((s) => `line ${s}`),
        marker(90),
        ...range(95, 100).map((s) => `line ${s}`),
      ]);
    });

    it('keeps acking received seqs, not stored ones, and ignores resends of dropped lines', async () => {
      const { store } = await freshStore({ lineQuota: 4 });
      await store.appendReports(EXEC, lines(range(0, 10)));
      expect(await store.appendReports(EXEC, lines(range(3, 11)))).toEqual({ lastSeq: 10, added: 1 });
      expect((await store.readReports(EXEC)).map((l) => l.seq)).toEqual([0, 1, 2, 9, 10]);
    });

    it('hides the dropped lines of a chunk that also holds kept ones', async () => {
      const { store } = await freshStore({ lineQuota: 10 });
      await store.appendReports(EXEC, lines(range(0, 8)));
      await store.appendReports(EXEC, lines(range(8, 12)));
      expect((await store.readReports(EXEC)).map((l) => l.seq)).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
      expect((await store.readReports(EXEC, { after: 5 })).map((l) => l.seq)).toEqual([7, 8, 9, 10, 11]);
    });

    it.each([
      [{ tail: 3 }, ['line 22', 'line 23', 'line 24']],
      [{ tail: 6 }, [marker(15), 'line 20', 'line 21', 'line 22', 'line 23', 'line 24']],
      [{ limit: 6 }, ['line 0', 'line 1', 'line 2', 'line 3', 'line 4', marker(15)]],
      [{ limit: 5 }, ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']],
      [{ after: 4, limit: 2 }, [marker(15), 'line 20']],
      [{ after: 5, limit: 2 }, ['line 20', 'line 21']],
    ])('places the marker in reads with %j', async (options, texts) => {
      const { store } = await freshStore({ lineQuota: 10 });
      await store.appendReports(EXEC, lines(range(0, 25)));
      expect((await store.readReports(EXEC, options)).map((l) => l.text)).toEqual(texts);
    });

    it('keeps the metrics of dropped lines', async () => {
      const { store } = await freshStore({ lineQuota: 2 });
      await store.appendReports(
        EXEC,
        lines(range(0, 6), (s) => `loss=${s}`),
      );
      expect((await store.metricPoints(EXEC, 'loss')).map((p) => p.value)).toEqual(range(0, 6));
      expect((await store.readReports(EXEC)).map((l) => l.text)).toEqual(['loss=0', marker(4), 'loss=5']);
    });
  });
}
