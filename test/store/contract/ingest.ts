import { describe, expect, it } from 'vitest';
import { EXEC, lines, range } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The ingest part of the store contract (see index.ts). */
export function ingestContract(freshStore: FreshStore): void {
  describe('appendReports', () => {
    it('stores a batch and acks the highest contiguous seq', async () => {
      const { store } = await freshStore();
      expect(await store.appendReports(EXEC, lines(range(0, 5)))).toEqual({ lastSeq: 4, added: 5 });
      expect((await store.readReports(EXEC)).map((l) => l.text)).toEqual(range(0, 5).map((s) => `line ${s}`));
      expect((await store.getExecution(EXEC))!.lineCount).toBe(5);
    });

    it('never stores a resent line twice', async () => {
      const { store } = await freshStore();
      await store.appendReports(EXEC, lines(range(0, 5)));
      expect(await store.appendReports(EXEC, lines(range(0, 5)))).toEqual({ lastSeq: 4, added: 0 });
      expect(await store.appendReports(EXEC, lines([3, 4, 5, 5, 6]))).toEqual({ lastSeq: 6, added: 2 });
      expect((await store.readReports(EXEC)).map((l) => l.seq)).toEqual(range(0, 7));
      expect((await store.getExecution(EXEC))!.lineCount).toBe(7);
    });

    it('ignores lines after a gap until the missing ones arrive', async () => {
      const { store } = await freshStore();
      expect(await store.appendReports(EXEC, lines([0, 1, 3, 4]))).toEqual({ lastSeq: 1, added: 2 });
      expect(await store.appendReports(EXEC, lines([5]))).toEqual({ lastSeq: 1, added: 0 });
      expect(await store.appendReports(EXEC, lines([4, 2, 3]))).toEqual({ lastSeq: 4, added: 3 });
      expect((await store.readReports(EXEC)).map((l) => l.seq)).toEqual(range(0, 5));
    });

    it('keeps stream, partial and truncated flags with the byte length', async () => {
      const { store } = await freshStore();
      await store.appendReports(EXEC, [
        { seq: 0, ts: 5, stream: 'stderr', text: 'fatal: out of disk', partial: true },
        { seq: 1, ts: 6, stream: 'stdout', text: 'x'.repeat(10), truncated: true, byteLength: 2_000_000 },
        { seq: 2, ts: 7, stream: 'stdout', text: 'caf\uFFFD \uFFFD loss=0.7' },
      ]);
      expect(await store.readReports(EXEC)).toEqual([
        { seq: 0, ts: 5, stream: 'stderr', text: 'fatal: out of disk', partial: true },
        { seq: 1, ts: 6, stream: 'stdout', text: 'x'.repeat(10), truncated: true, byteLength: 2_000_000 },
        { seq: 2, ts: 7, stream: 'stdout', text: 'caf\uFFFD \uFFFD loss=0.7' },
      ]);
    });

    it('updates lastSeenAt, also on a pure resend', async () => {
      const { store } = await freshStore();
      const before = Date.now();
      await store.appendReports(EXEC, []);
      expect((await store.getExecution(EXEC))!.lastSeenAt).toBeGreaterThanOrEqual(before);
    });

    it('throws NOT_FOUND for an unknown execution', async () => {
      const { store } = await freshStore();
      await expect(store.appendReports('e_BBBBBBBBBBBBBBBBBBBBBB', lines([0]))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(store.readReports('e_BBBBBBBBBBBBBBBBBBBBBB')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('readReports', () => {
    const cases: [object, number[]][] = [
      [{}, range(0, 20)],
      [{ after: 14 }, range(15, 20)],
      [{ limit: 3 }, [0, 1, 2]],
      [{ after: 5, limit: 3 }, [6, 7, 8]],
      [{ after: 4, limit: 7 }, range(5, 12)],
      [{ tail: 4 }, [16, 17, 18, 19]],
      [{ tail: 7 }, range(13, 20)],
      [{ tail: 50 }, range(0, 20)],
      [{ tail: 0 }, []],
      [{ after: 19 }, []],
    ];

    it.each(cases)('returns %j in seq order from one batch', async (options, seqs) => {
      const { store } = await freshStore();
      // Out of order inside the batch: reads still come in seq order.
      await store.appendReports(EXEC, lines(range(0, 20).reverse()));
      expect((await store.readReports(EXEC, options)).map((l) => l.seq)).toEqual(seqs);
    });

    it.each(cases)('returns %j in seq order across batches of 3', async (options, seqs) => {
      const { store } = await freshStore();
      for (let from = 0; from < 20; from += 3) await store.appendReports(EXEC, lines(range(from, Math.min(from + 3, 20))));
      expect((await store.readReports(EXEC, options)).map((l) => l.seq)).toEqual(seqs);
    });

    it('splits a batch of long lines into several chunks and reads them back whole', async () => {
      const { store } = await freshStore({ metrics: { enabled: false } });
      const long = (seq: number) => `${seq}:`.padEnd(1024 * 1024, 'x');
      await store.appendReports(EXEC, lines(range(0, 10), long));
      expect((await store.readReports(EXEC, { after: 2, limit: 5 })).map((l) => l.text)).toEqual(range(3, 8).map(long));
      expect((await store.readReports(EXEC, { tail: 6 })).map((l) => l.seq)).toEqual(range(4, 10));
    });

    it('serves the tail of a 100 000-line execution', async () => {
      const { store } = await freshStore({ metrics: { enabled: false } });
      for (let from = 0; from < 100_000; from += 5_000) await store.appendReports(EXEC, lines(range(from, from + 5_000)));
      expect((await store.readReports(EXEC, { tail: 3 })).map((l) => l.text)).toEqual(['line 99997', 'line 99998', 'line 99999']);
      expect((await store.readReports(EXEC, { after: 49_999, limit: 2 })).map((l) => l.seq)).toEqual([50_000, 50_001]);
    });
  });
}
