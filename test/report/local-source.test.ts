import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSettings } from '../../src/config/settings.js';
import { newId } from '../../src/protocol/ids.js';
import type { Session } from '../../src/protocol/types.js';
import { LocalSource } from '../../src/report/local-source.js';
import type { FollowEvent } from '../../src/report/source.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { tempHome } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
let store: Store;
let source: LocalSource;
beforeEach(async () => {
  home = tempHome();
  env = { EXEC_TRACK_HOME: home.dir };
  source = new LocalSource({ env, pollMs: 10 });
});
afterEach(async () => {
  await source.close();
  await store?.close();
  home.cleanup();
});

async function seed(): Promise<{ older: Session; newer: Session; lastId: string }> {
  store = await openStore(join(home.dir, 'exec-track.db'));
  const older = await store.createSession({ id: newId('s'), title: 'older', createdAt: 1_000, ownerId: null });
  const newer = await store.createSession({ id: newId('s'), title: 'newer', createdAt: 2_000, ownerId: null });
  const lastId = newId('e');
  for (const [id, sessionId, startedAt] of [
    [newId('e'), newer.id, 5_000],
    [lastId, older.id, 9_000],
  ] as const) {
    await store.createExecution({
      id,
      sessionId,
      name: null,
      command: ['true'],
      cwd: '/',
      host: 'elsewhere',
      pid: null,
      startedAt,
      receivedAt: startedAt,
      metrics: { enabled: true },
    });
    await store.finishExecution(id, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: startedAt + 1 });
  }
  return { older, newer, lastId };
}

describe('LocalSource', () => {
  it('has nothing to show, and creates no database, when none exists', async () => {
    await expect(source.resolve(undefined)).rejects.toMatchObject({ code: 'NO_RUNS', exitCode: 1 });
    await expect(source.execution(newId('e'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync(join(home.dir, 'exec-track.db'))).toBe(false);
  });

  it('resolves no target to the current session, else the newest one, and last to the latest execution', async () => {
    const { older, newer, lastId } = await seed();
    expect(await source.resolve(undefined)).toEqual({ kind: 'session', id: newer.id });
    await openSettings(env).set('currentSession', older.id);
    expect(await source.resolve(undefined)).toEqual({ kind: 'session', id: older.id });
    expect(await source.resolve('last')).toEqual({ kind: 'execution', id: lastId });
  });

  it('turns a Running execution whose wrapper went silent into Exec crushed when read', async () => {
    const { newer } = await seed();
    const id = newId('e');
    await store.createExecution({
      id,
      sessionId: newer.id,
      name: null,
      command: ['sleep', '600'],
      cwd: '/',
      host: 'elsewhere',
      pid: null,
      startedAt: 1_000,
      receivedAt: 1_000,
      metrics: { enabled: true },
    });
    const { execution } = await source.execution(id);
    expect(execution).toMatchObject({ state: 'Exec crushed', reason: expect.stringContaining('lost contact') });
  });

  it('follows lines and points as they are stored and ends after the execution finishes', async () => {
    const { newer } = await seed();
    const id = newId('e');
    await store.createExecution({
      id,
      sessionId: newer.id,
      name: null,
      command: ['train'],
      cwd: '/',
      host: 'elsewhere',
      pid: null,
      startedAt: Date.now(),
      receivedAt: Date.now(),
      metrics: { enabled: true },
    });
    await store.appendReports(id, [{ seq: 0, ts: Date.now(), stream: 'stdout', text: 'old loss=9' }]);
    const events: FollowEvent[] = [];
    for await (const event of source.follow(id, 0, new AbortController().signal)) {
      events.push(event);
      if (events.length === 1) {
        await store.appendReports(id, [{ seq: 1, ts: Date.now(), stream: 'stderr', text: 'step=1 loss=0.5' }]);
        await store.touchExecution(id, Date.now());
      }
      if (event.type === 'metrics')
        await store.finishExecution(id, { state: 'Execution crushed', exitCode: 2, signal: null, reason: null, endedAt: Date.now() });
    }
    const lines = events.flatMap((e) => (e.type === 'reports' ? e.reports.map((r) => r.text) : []));
    const points = events.flatMap((e) => (e.type === 'metrics' ? e.points.map((p) => `${p.key}=${p.value}`) : []));
    expect(lines).toEqual(['step=1 loss=0.5']);
    expect(points).toContain('loss=0.5');
    expect(points).not.toContain('loss=9');
    expect(events.at(-1)).toMatchObject({ type: 'execution', execution: { state: 'Execution crushed', exitCode: 2 } });
  });
});
