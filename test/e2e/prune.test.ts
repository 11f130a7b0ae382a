import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedDbPath } from '../../src/config/paths.js';
import { openSettings } from '../../src/config/settings.js';
import { newId } from '../../src/protocol/ids.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { BIN, cliEnv, runCli, tempHome } from '../helpers/cli.js';

const DAY = 86_400_000;

let home: { dir: string; cleanup: () => void };
beforeEach(() => {
  home = tempHome();
});
afterEach(() => home.cleanup());

function env(): NodeJS.ProcessEnv {
  return { EXEC_TRACK_HOME: home.dir };
}

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(embeddedDbPath(env()));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Seeds an embedded session created `createdAgo` ms ago with one finished execution per `startedAgo` (ms ago), each with two lines. */
async function seed(store: Store, title: string, createdAgo: number, startedAgo: number[]): Promise<{ sessionId: string; executionIds: string[] }> {
  const now = Date.now();
  const sessionId = newId('s');
  await store.createSession({ id: sessionId, title, createdAt: now - createdAgo, ownerId: null });
  const executionIds: string[] = [];
  for (const ago of startedAgo) {
    const id = newId('e');
    const startedAt = now - ago;
    await store.createExecution({
      id,
      sessionId,
      name: null,
      command: ['echo', title],
      cwd: '/tmp',
      host: 'test',
      pid: null,
      startedAt,
      receivedAt: startedAt,
      metrics: { enabled: true },
    });
    await store.appendReports(id, [
      { seq: 0, ts: startedAt + 1, stream: 'stdout', text: `${title} loss=0.5` },
      { seq: 1, ts: startedAt + 2, stream: 'stderr', text: 'done' },
    ]);
    await store.finishExecution(id, { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: startedAt + 3 });
    executionIds.push(id);
  }
  return { sessionId, executionIds };
}

describe('exec-track rm', () => {
  it('deletes a session with its executions, reports and metrics', async () => {
    const { a, b } = await withStore(async (store) => ({
      a: await seed(store, 'alpha', 2 * DAY, [2 * DAY, DAY]),
      b: await seed(store, 'beta', DAY, [DAY]),
    }));
    const r = await runCli(['rm', a.sessionId], { home: home.dir });
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain(`Deleted session ${a.sessionId} "alpha" and its 2 executions.`);
    await withStore(async (store) => {
      expect(await store.getSession(a.sessionId)).toBeUndefined();
      for (const id of a.executionIds) {
        expect(await store.getExecution(id)).toBeUndefined();
        await expect(store.readReports(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
      expect(await store.getSession(b.sessionId)).toBeDefined();
      expect(await store.readReports(b.executionIds[0]!)).toHaveLength(2);
    });
  });

  it('deletes one execution and keeps the rest of its session', async () => {
    const a = await withStore((store) => seed(store, 'alpha', DAY, [DAY, DAY / 2]));
    const [gone, kept] = a.executionIds as [string, string];
    const r = await runCli(['rm', gone], { home: home.dir });
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain(`Deleted execution ${gone} (echo alpha) of session ${a.sessionId}.`);
    await withStore(async (store) => {
      expect(await store.getExecution(gone)).toBeUndefined();
      await expect(store.readReports(gone)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await store.listExecutions(a.sessionId)).map((e) => e.id)).toEqual([kept]);
    });
  });

  it('forgets the current session when it is deleted', async () => {
    const a = await withStore((store) => seed(store, 'alpha', DAY, [DAY]));
    await openSettings(env()).set('currentSession', a.sessionId);
    expect((await runCli(['rm', a.sessionId], { home: home.dir })).exitCode).toBe(0);
    expect(openSettings(env()).get('currentSession')).toBeUndefined();
  });

  it.each([['s'], ['e']] as const)('answers NOT_FOUND (exit 1) for an unknown %s_ id', async (kind) => {
    await withStore((store) => seed(store, 'alpha', DAY, [DAY]));
    const id = newId(kind);
    const r = await runCli(['rm', id], { home: home.dir });
    expect(r.exitCode).toBe(1);
    expect(r.err).toBe(
      `exec-track: No ${kind === 's' ? 'session' : 'execution'} ${id} found in the embedded store; check the id or run \`exec-track sessions\` to list sessions.\n`,
    );
  });

  it('answers NOT_FOUND without creating a database when none exists', async () => {
    const r = await runCli(['rm', newId('s')], { home: home.dir });
    expect(r.exitCode).toBe(1);
    expect(r.err).toMatch(/^exec-track: No session s_\S+ found in the embedded store/);
    expect(existsSync(embeddedDbPath(env()))).toBe(false);
  });

  it.each([['last'], ['s_short'], ['x_AAAAAAAAAAAAAAAAAAAAAA'], ['']])('rejects the malformed id "%s" as a usage error (exit 2)', async (id) => {
    const r = await runCli(['rm', id], { home: home.dir });
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain('is not a session id (s_…) or an execution id (e_…)');
  });
});

describe('exec-track prune', () => {
  it('deletes the sessions whose last execution started before the cutoff, and empty sessions created before it', async () => {
    const seeded = await withStore(async (store) => ({
      old: await seed(store, 'old', 30 * DAY, [20 * DAY, 10 * DAY]),
      oldEmpty: await seed(store, 'old-empty', 10 * DAY, []),
      revived: await seed(store, 'revived', 30 * DAY, [20 * DAY, DAY]),
      fresh: await seed(store, 'fresh', DAY, [DAY]),
      freshEmpty: await seed(store, 'fresh-empty', DAY, []),
    }));
    const r = await runCli(['prune', '--older-than', '7d'], { home: home.dir });
    expect(r.exitCode).toBe(0);
    expect(r.out).toBe('Deleted 2 sessions and 2 executions older than 7d.\n');
    await withStore(async (store) => {
      const left = (await store.listSessions(null)).map((s) => s.title).sort();
      expect(left).toEqual(['fresh', 'fresh-empty', 'revived']);
      for (const id of seeded.old.executionIds) expect(await store.getExecution(id)).toBeUndefined();
      expect(await store.listExecutions(seeded.revived.sessionId)).toHaveLength(2);
    });
  });

  it('forgets the current session when it was pruned', async () => {
    const old = await withStore((store) => seed(store, 'old', 30 * DAY, [20 * DAY]));
    await openSettings(env()).set('currentSession', old.sessionId);
    expect((await runCli(['prune', '--older-than', '1d'], { home: home.dir })).exitCode).toBe(0);
    expect(openSettings(env()).get('currentSession')).toBeUndefined();
  });

  it('reports zero and creates no database when none exists', async () => {
    const r = await runCli(['prune', '--older-than', '30d'], { home: home.dir });
    expect(r.exitCode).toBe(0);
    expect(r.out).toBe('Deleted 0 sessions and 0 executions older than 30d.\n');
    expect(existsSync(embeddedDbPath(env()))).toBe(false);
  });

  it.each([['3x'], ['-1d'], ['soon']])('rejects --older-than %s as a usage error (exit 2)', async (value) => {
    const r = await runCli(['prune', '--older-than', value], { home: home.dir });
    expect(r.exitCode).toBe(2);
    expect(r.err).toContain(`--older-than expects a duration such as 10s, 5m or 14d, got "${value}".`);
  });

  it('requires --older-than (exit 2)', async () => {
    expect((await runCli(['prune'], { home: home.dir })).exitCode).toBe(2);
  });
});

describe('exec-track rm and prune with a running execution', () => {
  /** A real wrapper running `sleep 60` in the embedded store; resolves once its execution is stored. */
  async function runningWrapper(): Promise<{ child: ChildProcess; executionId: string; sessionId: string }> {
    const child = spawn(process.execPath, [BIN, 'run', '--', 'sleep', '60'], { env: cliEnv(home.dir), stdio: 'ignore' });
    for (;;) {
      if (existsSync(embeddedDbPath(env()))) {
        const found = await withStore(async (store) => store.lastExecution(null));
        if (found) return { child, executionId: found.id, sessionId: found.sessionId };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const stop = (child: ChildProcess) => new Promise((r) => child.once('exit', r).kill('SIGTERM'));

  it('refuses to rm a running execution or its session (exit 1, one sentence) unless --force', async () => {
    const { child, executionId, sessionId } = await runningWrapper();
    try {
      for (const id of [executionId, sessionId]) {
        const r = await runCli(['rm', id], { home: home.dir });
        expect(r.exitCode).toBe(1);
        expect(r.err).toBe(
          `exec-track: Execution ${executionId} (sleep 60) is still running; wait until it ends, or add --force to delete it anyway (the rest of its output is then lost).\n`,
        );
      }
      expect(await withStore((store) => store.getExecution(executionId))).toMatchObject({ state: 'Running' });
      const forced = await runCli(['rm', '--force', executionId], { home: home.dir });
      expect(forced.exitCode).toBe(0);
      expect(await withStore((store) => store.getExecution(executionId))).toBeUndefined();
    } finally {
      await stop(child);
    }
  });

  it("never prunes a running execution or its session, however old; prunes a dead wrapper's ghost", async () => {
    const { child, executionId, sessionId } = await runningWrapper();
    try {
      const ghost = await withStore(async (store) => {
        const seeded = await seed(store, 'ghost', 3 * DAY, []);
        const id = newId('e');
        // a wrapper on this host whose PID is gone: `Running` in the store, dead in fact
        await store.createExecution({
          id,
          sessionId: seeded.sessionId,
          name: null,
          command: ['x'],
          cwd: '/',
          host: hostname(),
          pid: deadPid(),
          startedAt: Date.now() - 2 * DAY,
          receivedAt: Date.now() - 2 * DAY,
          metrics: { enabled: true },
        });
        return { sessionId: seeded.sessionId, executionId: id };
      });
      const r = await runCli(['prune', '--older-than', '0s'], { home: home.dir });
      expect(r.exitCode).toBe(0);
      expect(r.out).toBe('Deleted 1 session and 1 execution older than 0s.\n');
      await withStore(async (store) => {
        expect(await store.getExecution(executionId)).toMatchObject({ state: 'Running' });
        expect(await store.getSession(sessionId)).toBeDefined();
        expect(await store.getSession(ghost.sessionId)).toBeUndefined();
      });
    } finally {
      await stop(child);
    }
  });
});

/** A PID that is not running: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}
