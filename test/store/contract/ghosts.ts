import { describe, expect, it } from 'vitest';
import { reapGhosts } from '../../../src/store/ghosts.js';
import { EXEC, SESSION, newExecution } from '../setup.js';
import type { FreshStore } from './fresh.js';

/** The ghosts part of the store contract (see index.ts). */
export function ghostsContract(freshStore: FreshStore): void {
  const NOW = 100_000;
  // above every kernel's PID limit (Linux < 2^22, macOS < 100 000), so never a live process; unit tests start no processes
  const deadPid = () => 2 ** 22;

  describe('reapGhosts', () => {
    it("marks a Running execution whose wrapper PID on this host is gone as 'tracker died' at once", async () => {
      const { store } = await freshStore();
      await store.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 3_000 });
      const pid = deadPid();
      await store.createExecution({ ...newExecution('e_DEADDEADDEADDEADDEADDE', SESSION, NOW - 1_000), pid });
      const reaped = await reapGhosts(store, await store.listExecutions(SESSION), { host: 'box', now: NOW, staleMs: 60_000 });
      expect(reaped.map((e) => [e.id, e.state, e.reason])).toEqual([
        [EXEC, 'Passive', null],
        ['e_DEADDEADDEADDEADDEADDE', 'Exec crushed', 'tracker died'],
      ]);
      expect(reaped[1]!.endedAt).toBe(NOW - 1_000);
    });

    it('leaves a live or recently seen execution Running, and judges other hosts only by staleness', async () => {
      const { store } = await freshStore();
      await store.touchExecution(EXEC, NOW - 5_000);
      await store.createExecution({ ...newExecution('e_OTHERHOSTOTHERHOSTOTHE', SESSION, NOW - 2_000), host: 'elsewhere', pid: deadPid() });
      await store.createExecution({ ...newExecution('e_LIVELIVELIVELIVELIVELI', SESSION, NOW - 500_000), pid: process.pid });
      const execs = await store.listExecutions(SESSION);
      const reaped = await reapGhosts(store, execs, { host: 'box', now: NOW, staleMs: 60_000, isAlive: (pid) => pid === process.pid || pid === 4242 });
      expect(reaped.map((e) => [e.id, e.state])).toEqual([
        ['e_LIVELIVELIVELIVELIVELI', 'Exec crushed'],
        [EXEC, 'Running'],
        ['e_OTHERHOSTOTHERHOSTOTHE', 'Running'],
      ]);
      expect(reaped[0]!.reason).toBe('lost contact');
    });

    it('returns the same list when nothing is Running', async () => {
      const { store } = await freshStore();
      await store.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 3_000 });
      const execs = await store.listExecutions(SESSION);
      expect(await reapGhosts(store, execs, { host: 'box', now: NOW, staleMs: 1 })).toBe(execs);
    });
  });
}
