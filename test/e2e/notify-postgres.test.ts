import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { executionIdOf } from '../client/server-reads.js';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { startCluster, type PgCluster } from '../helpers/postgres.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const FAST = { EXEC_TRACK_NOTIFY_SCAN: '50ms', EXEC_TRACK_NOTIFY_RETRY: '100ms', EXEC_TRACK_NOTIFY_SESSION_GRACE: '300ms' };

describe('notifications with two server instances on one PostgreSQL (issue 15 point 4)', () => {
  let cluster: PgCluster;
  let home: ReturnType<typeof tempHome>;
  let servers: ServerProcess[] = [];
  let hook: Receiver;
  beforeAll(async () => {
    cluster = await startCluster();
    home = tempHome();
    hook = await startReceiver({ status: 500 }, { status: 200 });
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await hook?.close();
    await cluster?.stop();
    home?.cleanup();
  });

  // the CLI keeps one identity per server URL, so it talks to `a`; `b` scans and sends from the same outbox
  it('sends every event once while both instances scan and claim every 50 ms', async () => {
    const url = await cluster.createDatabase();
    servers = await Promise.all([0, 1].map(() => startServer({ home: home.dir, args: ['--db', url], env: FAST })));
    const [a] = servers as [ServerProcess, ServerProcess];
    const created = await runCli(['session', 'new', 'pg sweep', '--server', a.url], { home: home.dir });
    const sessionId = /Created session (s_\S+)/.exec(created.out)![1]!;
    const added = await runCli(['notify', 'add', sessionId, `${hook.url}/hook`, '--on', 'finished,failed,session-done', '--server', a.url], { home: home.dir });
    expect(added.err).toBe('');
    expect(added.exitCode).toBe(0);
    const runs = await Promise.all([
      runCli(['run', '--server', a.url, '-s', sessionId, '--', 'true'], { home: home.dir }),
      runCli(['run', '--server', a.url, '-s', sessionId, '--', 'sh', '-c', 'exit 3'], { home: home.dir }),
      runCli(['run', '--server', a.url, '-s', sessionId, '--', 'sh', '-c', 'exit 4'], { home: home.dir }),
      runCli(['run', '--server', a.url, '-s', sessionId, '--', 'true'], { home: home.dir }),
    ]);
    const delivered = () =>
      hook.received.filter((r) => r.status === 200).map((r) => JSON.parse(r.body) as { event: string; id: string; execution?: { id: string } });
    // (a run that ends before the others start may make an earlier session-done: a different event, its own key)
    const last = () =>
      delivered()
        .filter((m) => m.event === 'session-done')
        .at(-1) as { counts?: Record<string, number> } | undefined;
    await vi.waitFor(() => expect(last()?.counts).toEqual({ Passive: 2, 'Execution crushed': 2 }), { timeout: 15_000, interval: 100 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const byRun = runs.map((r) =>
      delivered()
        .filter((m) => m.execution?.id === executionIdOf(r.err))
        .map((m) => m.event),
    );
    expect(byRun).toEqual([['finished'], ['failed'], ['failed'], ['finished']]);
    const keys = delivered().map((m) => m.id);
    expect(new Set(keys).size).toBe(keys.length);
    // the one 500 was retried once, under the same key
    expect(hook.received).toHaveLength(keys.length + 1);
    expect(hook.received.filter((r) => r.headers['idempotency-key'] === hook.received[0]!.headers['idempotency-key']).map((r) => r.status)).toEqual([500, 200]);
    // both instances took part (each logs the attempts it made; the 500 was seen by one of them)
    expect(servers.map((x) => x.output()).join('')).toMatch(/failed with HTTP 500; retry in/);
  });
});
