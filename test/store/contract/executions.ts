import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/protocol/types.js';
import { EXEC, SESSION, newExecution } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The executions part of the store contract (see index.ts). */
export function executionsContract(freshStore: FreshStore): void {
  const OTHER = 'e_BBBBBBBBBBBBBBBBBBBBBB';
  const failed: Outcome = { state: 'Execution crushed', exitCode: 3, signal: null, reason: 'exit code 3', endedAt: 9_000 };

  describe('executions', () => {
    it('creates a Running execution and returns the stored one on a resend', async () => {
      const { store } = await freshStore();
      const again = await store.createExecution({ ...newExecution(EXEC, SESSION, 2_000), name: 'changed' });
      expect(again).toMatchObject({ id: EXEC, sessionId: SESSION, name: null, state: 'Running', startedAt: 2_000, lastSeenAt: 2_000, lineCount: 0 });
      expect(again.command).toEqual(['python3', 'train.py']);
      expect(again.metrics).toEqual({ enabled: true });
    });

    it('refuses an execution in an unknown session, or an id taken by another session', async () => {
      const { store } = await freshStore();
      await expect(store.createExecution(newExecution(OTHER, 's_BBBBBBBBBBBBBBBBBBBBBB', 1))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await store.createSession({ id: 's_CCCCCCCCCCCCCCCCCCCCCC', title: 'b', createdAt: 1, ownerId: null });
      await expect(store.createExecution(newExecution(EXEC, 's_CCCCCCCCCCCCCCCCCCCCCC', 1))).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('records the outcome of finish', async () => {
      const { store } = await freshStore();
      expect(await store.finishExecution(EXEC, failed)).toMatchObject({ state: 'Execution crushed', exitCode: 3, reason: 'exit code 3', endedAt: 9_000 });
      await expect(store.finishExecution(OTHER, failed)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('marks Running executions not seen since the cutoff as lost, ended at their last sign of life', async () => {
      const { store } = await freshStore();
      await store.createExecution(newExecution(OTHER, SESSION, 2_500));
      await store.touchExecution(EXEC, 5_000);
      expect(await store.markLost(4_000, 'lost contact')).toEqual([OTHER]);
      expect(await store.getExecution(OTHER)).toMatchObject({ state: 'Exec crushed', reason: 'lost contact', endedAt: 2_500 });
      expect((await store.getExecution(EXEC))!.state).toBe('Running');
      expect(await store.markLost(6_000, 'lost contact', [OTHER])).toEqual([]);
    });

    it('lets a heartbeat bring a lost-contact execution back to Running', async () => {
      const { store } = await freshStore();
      await store.markLost(3_000, 'lost contact');
      await store.touchExecution(EXEC, 7_000);
      expect(await store.getExecution(EXEC)).toMatchObject({ state: 'Running', reason: null, endedAt: null, lastSeenAt: 7_000 });
    });

    it('never moves lastSeenAt back on a late heartbeat, and refuses an unknown execution', async () => {
      const { store } = await freshStore();
      await store.touchExecution(EXEC, 9_000);
      await store.touchExecution(EXEC, 8_000);
      expect((await store.getExecution(EXEC))!.lastSeenAt).toBe(9_000);
      await expect(store.touchExecution('e_nope', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it.each(['tracker died', 'spawn failed'])('does not revive an execution crushed for %j on a heartbeat', async (reason) => {
      const { store } = await freshStore();
      await store.markLost(3_000, reason);
      await store.touchExecution(EXEC, 7_000);
      expect(await store.getExecution(EXEC)).toMatchObject({ state: 'Exec crushed', reason });
    });

    it("lets the wrapper's finish win over an earlier lost verdict", async () => {
      const { store } = await freshStore();
      await store.markLost(3_000, 'lost contact');
      expect(await store.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 8_000 })).toMatchObject({
        state: 'Passive',
        exitCode: 0,
        reason: null,
        endedAt: 8_000,
      });
    });

    it('lists executions of a session oldest first and finds the last one', async () => {
      const { store } = await freshStore();
      await store.createExecution(newExecution(OTHER, SESSION, 1_500));
      expect((await store.listExecutions(SESSION)).map((e) => e.id)).toEqual([OTHER, EXEC]);
      expect((await store.lastExecution(null))!.id).toBe(EXEC);
      expect(await store.lastExecution('u_nobody')).toBeUndefined();
    });
  });
}
