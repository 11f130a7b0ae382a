import { describe, expect, it } from 'vitest';
import { EXEC, SESSION, lines, newExecution } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The counts and lastSeq reads that routes use instead of listing or writing (see index.ts). */
export function countsContract(freshStore: FreshStore): void {
  describe('counts and lastSeq', () => {
    it('counts sessions per owner and executions per session', async () => {
      const { store } = await freshStore();
      await store.createSession({ id: 's_BBBBBBBBBBBBBBBBBBBBBB', title: 'a', createdAt: 1, ownerId: 'u_1' });
      await store.createSession({ id: 's_CCCCCCCCCCCCCCCCCCCCCC', title: 'b', createdAt: 2, ownerId: 'u_1' });
      await store.createExecution(newExecution('e_BBBBBBBBBBBBBBBBBBBBBB', SESSION, 3_000));
      expect([await store.countSessions(null), await store.countSessions('u_1'), await store.countSessions('u_2')]).toEqual([1, 2, 0]);
      expect([await store.countExecutions(SESSION), await store.countExecutions('s_BBBBBBBBBBBBBBBBBBBBBB'), await store.countExecutions('s_nope')]).toEqual([
        2, 0, 0,
      ]);
    });

    it('reads the highest contiguous seq without touching the execution', async () => {
      const { store } = await freshStore();
      expect(await store.lastSeq(EXEC)).toBe(-1);
      await store.appendReports(EXEC, lines([0, 1, 3]));
      const seen = (await store.getExecution(EXEC))!.lastSeenAt;
      await store.touchExecution(EXEC, 1);
      expect(await store.lastSeq(EXEC)).toBe(1);
      expect((await store.getExecution(EXEC))!.lastSeenAt).toBe(seen);
      await expect(store.lastSeq('e_nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
