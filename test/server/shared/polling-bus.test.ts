import { describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/protocol/types.js';
import { PollingEventBus } from '../../../src/server/shared/polling-bus.js';
import { openStore } from '../../../src/store/open.js';
import { EXEC, freshStore, lines, newExecution, SESSION } from '../../store/setup.js';

/** A writer store and a second connection to the same file (as `exec-track ui` beside a local run), with the bus on the reader. */
async function twoConnections() {
  const { store: writer, path } = await freshStore();
  const reader = await openStore(path, {});
  const bus = new PollingEventBus(reader);
  const seen: string[] = [];
  const unsubscribe = bus.subscribe(EXEC, { reports: () => seen.push('reports'), state: (e: Execution) => seen.push(`state ${e.state}`) });
  const session: string[] = [];
  bus.subscribeSession(SESSION, (e) => session.push(`${e.id} ${e.state}`));
  // the baselines are read at subscribe
  await new Promise((resolve) => setImmediate(resolve));
  return { writer, reader, bus, seen, session, unsubscribe, close: () => reader.close() };
}

describe('PollingEventBus', () => {
  it("replays another connection's lines, new executions and final states to the followers, each once", async () => {
    const t = await twoConnections();
    try {
      await t.bus.poll();
      expect([t.seen, t.session]).toEqual([[], []]);
      await t.writer.appendReports(EXEC, lines([0, 1]));
      await t.bus.poll();
      expect(t.seen).toEqual(['reports']);
      const other = 'e_BBBBBBBBBBBBBBBBBBBBBB';
      await t.writer.createExecution(newExecution(other, SESSION, 3_000));
      await t.writer.finishExecution(EXEC, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 4_000 });
      await t.bus.poll();
      await t.bus.poll();
      expect(t.seen).toEqual(['reports', 'state Passive']);
      expect(t.session).toEqual([`${EXEC} Passive`, `${other} Running`]);
    } finally {
      await t.close();
    }
  });

  it('reads nothing while no other connection has committed, nor once nobody follows', async () => {
    const t = await twoConnections();
    try {
      await t.bus.poll();
      let reads = 0;
      const get = t.reader.getExecution.bind(t.reader);
      t.reader.getExecution = async (id) => (reads++, get(id));
      await t.bus.poll();
      await t.bus.poll();
      expect(reads).toBe(0);
      await t.writer.appendReports(EXEC, lines([0]));
      await t.bus.poll();
      expect(reads).toBe(1);
      t.unsubscribe();
      await t.writer.appendReports(EXEC, lines([1]));
      await t.bus.poll();
      expect(reads).toBe(1);
    } finally {
      await t.close();
    }
  });
});
