import { describe, expect, it } from 'vitest';
import { EXEC, SESSION, lines, newExecution, range } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The sessions part of the store contract (see index.ts). */
export function sessionsContract(freshStore: FreshStore): void {
  describe('sessions, users, secrets and retention', () => {
    it('finds sessions by owner and title, newest first, and keeps the first of a resend', async () => {
      const { store } = await freshStore();
      await store.createSession({ id: 's_BBBBBBBBBBBBBBBBBBBBBB', title: 'default', createdAt: 5_000, ownerId: null });
      await store.createSession({ id: 's_CCCCCCCCCCCCCCCCCCCCCC', title: 'default', createdAt: 6_000, ownerId: 'u_x' });
      expect(await store.createSession({ id: SESSION, title: 'renamed', createdAt: 9, ownerId: null })).toMatchObject({ title: 'default', createdAt: 1_000 });
      expect((await store.findSessionByTitle('default', null))!.id).toBe('s_BBBBBBBBBBBBBBBBBBBBBB');
      expect((await store.findSessionByTitle('default', 'u_x'))!.id).toBe('s_CCCCCCCCCCCCCCCCCCCCCC');
      expect(await store.findSessionByTitle('nope', null)).toBeUndefined();
      expect((await store.listSessions(null)).map((s) => s.id)).toEqual(['s_BBBBBBBBBBBBBBBBBBBBBB', SESSION]);
    });

    it('stores users by token hash and keeps the first secret', async () => {
      const { store } = await freshStore();
      await store.createUser({ id: 'u_1', tokenHash: 'h1', createdAt: 1, lastSeenAt: 1 });
      await store.touchUser('u_1', 50);
      expect(await store.getUserByTokenHash('h1')).toEqual({ id: 'u_1', tokenHash: 'h1', createdAt: 1, lastSeenAt: 50 });
      expect(await store.getUserByTokenHash('h2')).toBeUndefined();
      expect(await store.getOrCreateSecret('claim', () => 'first')).toBe('first');
      expect(await store.getOrCreateSecret('claim', () => 'second')).toBe('first');
    });

    it('deletes an execution with its lines and metrics', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines(range(0, 3), () => 'loss=1'),
      );
      expect(await store.deleteExecution(EXEC)).toBe(true);
      expect(await store.deleteExecution(EXEC)).toBe(false);
      expect(await store.getExecution(EXEC)).toBeUndefined();
      // A new execution in the freed slot starts empty.
      await store.createExecution(newExecution(EXEC, SESSION, 3_000));
      expect(await store.readReports(EXEC)).toEqual([]);
      expect(await store.metricSummary(EXEC)).toEqual({});
    });

    it('deletes a session with everything in it', async () => {
      const { store } = await freshStore();
      await store.appendReports(
        EXEC,
        lines(range(0, 3), () => 'loss=1'),
      );
      expect(await store.deleteSession(SESSION)).toBe(true);
      expect(await store.getSession(SESSION)).toBeUndefined();
      expect(await store.getExecution(EXEC)).toBeUndefined();
      expect(await store.deleteSession(SESSION)).toBe(false);
    });

    it('purges sessions whose last execution was received before the cutoff, empty old sessions and idle users', async () => {
      const { store } = await freshStore();
      await store.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 3_000 });
      // SESSION: created 1 000, last execution started 2 000 → old. Recent: execution started 20 000.
      await store.createSession({ id: 's_RRRRRRRRRRRRRRRRRRRRRR', title: 'recent', createdAt: 500, ownerId: 'u_busy' });
      await store.createExecution(newExecution('e_RRRRRRRRRRRRRRRRRRRRRR', 's_RRRRRRRRRRRRRRRRRRRRRR', 20_000));
      await store.createSession({ id: 's_EEEEEEEEEEEEEEEEEEEEEE', title: 'empty old', createdAt: 900, ownerId: null });
      await store.createSession({ id: 's_NNNNNNNNNNNNNNNNNNNNNN', title: 'empty new', createdAt: 15_000, ownerId: null });
      await store.createUser({ id: 'u_idle', tokenHash: 'a', createdAt: 1, lastSeenAt: 100 });
      await store.createUser({ id: 'u_busy', tokenHash: 'b', createdAt: 1, lastSeenAt: 100 });
      await store.createUser({ id: 'u_new', tokenHash: 'c', createdAt: 1, lastSeenAt: 50_000 });
      await store.appendReports(
        EXEC,
        lines(range(0, 3), () => 'loss=1'),
      );
      expect(await store.purge(10_000)).toEqual({ sessions: 2, users: 1 });
      expect((await store.listSessions(null)).map((s) => s.id)).toEqual(['s_NNNNNNNNNNNNNNNNNNNNNN']);
      expect(await store.getExecution(EXEC)).toBeUndefined();
      expect(await store.getExecution('e_RRRRRRRRRRRRRRRRRRRRRR')).toBeDefined();
      expect(await store.getUserByTokenHash('a')).toBeUndefined();
      expect(await store.getUserByTokenHash('b')).toBeDefined();
      expect(await store.getUserByTokenHash('c')).toBeDefined();
    });

    it('never purges a session with a Running execution, however old', async () => {
      const { store } = await freshStore();
      expect(await store.purge(1_000_000)).toEqual({ sessions: 0, users: 0 });
      expect(await store.getExecution(EXEC)).toMatchObject({ state: 'Running' });
    });
  });
}
