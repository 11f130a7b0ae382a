import { describe, expect, it } from 'vitest';
import { EXEC, lines, range } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The page reads part of the store contract (see index.ts). */
export function pageReadsContract(freshStore: FreshStore): void {
  describe('reads for the web pages', () => {
    it('reads a seq range with before, across chunks and around the quota marker', async () => {
      const { store } = await freshStore({ lineQuota: 10 });
      for (let from = 0; from < 25; from += 3) await store.appendReports(EXEC, lines(range(from, Math.min(25, from + 3))));
      expect((await store.readReports(EXEC, { after: 1, before: 4 })).map((l) => l.seq)).toEqual([2, 3]);
      // the marker sits at seq 5 (the first dropped one); the rolling rest starts at 20
      expect((await store.readReports(EXEC, { after: 3, before: 22 })).map((l) => l.seq)).toEqual([4, 5, 20, 21]);
      expect((await store.readReports(EXEC, { after: 5, limit: 2 })).map((l) => l.seq)).toEqual([20, 21]);
      expect(await store.logExtent(EXEC)).toEqual({ lastSeq: 24, quota: 10 });
    });

    it('searches case-insensitively in stored lines only, resumes after scannedTo, and stops at the limit', async () => {
      const { store } = await freshStore({ lineQuota: 10 });
      await store.appendReports(
        EXEC,
        lines(range(0, 25), (seq) => (seq % 2 === 0 ? `Epoch ${seq} WARN` : `ok ${seq}`)),
      );
      const all = await store.searchReports(EXEC, 'warn', { limit: 100, budgetMs: 10_000 });
      expect(all).toEqual({ hits: [0, 2, 4, 20, 22, 24], scannedTo: 24, complete: true });
      const first = await store.searchReports(EXEC, 'WARN', { limit: 2, budgetMs: 10_000 });
      expect(first).toMatchObject({ hits: [0, 2], complete: false });
      const rest = await store.searchReports(EXEC, 'WARN', { after: first.scannedTo, limit: 100, budgetMs: 10_000 });
      expect([...first.hits, ...rest.hits]).toEqual(all.hits);
    });

    it('answers a search out of budget with what it scanned so far', async () => {
      const { store } = await freshStore();
      for (let from = 0; from < 3000; from += 1000) await store.appendReports(EXEC, lines(range(from, from + 1000)));
      const answer = await store.searchReports(EXEC, 'line', { limit: 10_000, budgetMs: -1 });
      expect(answer).toEqual({ hits: [], scannedTo: -1, complete: false });
    });
  });
}
