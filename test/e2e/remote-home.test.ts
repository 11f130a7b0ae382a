import Database from 'better-sqlite3';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestJson } from '../../src/client/http.js';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { executionIdOf, getExecution } from '../client/server-reads.js';

/** Issue 9 item 2: one home, one user per server, however many processes start at once; a mixed home heals. */
describe('a home shared by parallel processes against a server', () => {
  let home: ReturnType<typeof tempHome>;
  let serverHome: ReturnType<typeof tempHome>;
  let server: ServerProcess;
  beforeEach(async () => {
    home = tempHome();
    serverHome = tempHome();
    server = await startServer({ home: serverHome.dir, args: ['--db', join(serverHome.dir, 'server.db')] });
  });
  afterEach(async () => {
    await server.stop();
    home.cleanup();
    serverHome.cleanup();
  });

  const env = () => ({ EXEC_TRACK_SERVER: server.url });
  const config = () => JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8'));
  const spooled = () => readdirSync(join(home.dir, 'spool'));
  /** Users and session owners in the server's database. */
  const serverRows = () => {
    const db = new Database(join(serverHome.dir, 'server.db'), { readonly: true });
    try {
      return {
        users: (db.prepare('SELECT id FROM users').all() as Array<{ id: string }>).map((r) => r.id),
        owners: (db.prepare('SELECT DISTINCT owner_id AS owner FROM sessions').all() as Array<{ owner: string }>).map((r) => r.owner),
      };
    } finally {
      db.close();
    }
  };

  it('8 parallel first runs mint one user, share one session and all end Passive on the server', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => runCli(['run', '--', 'echo', `run ${i}`], { home: home.dir, env: env() })));
    for (const run of runs) expect(run.exitCode, run.err).toBe(0);
    const executions = await Promise.all(runs.map(async (run) => (await getExecution(server.url, executionIdOf(run.err))).execution));
    expect(executions.map((e) => e.state)).toEqual(Array(8).fill('Passive'));
    expect(new Set(executions.map((e) => e.sessionId)).size).toBe(1);
    const { users, owners } = serverRows();
    expect(users).toHaveLength(1);
    expect(owners).toEqual(users);
    expect(config().servers[server.url]).toMatchObject({ userId: users[0], currentSession: executions[0]!.sessionId });
    expect(config().servers[server.url].claimKey).toContain(users[0]);
    expect(spooled()).toEqual([]);
  });

  it('four concurrent syncs on a home without a token mint one user and upload every execution once, without false errors', async () => {
    // spooled against a server that is not there, then uploaded to the real one by four syncs at once
    const down = 'http://127.0.0.1:9';
    for (let i = 0; i < 5; i++) expect((await runCli(['run', '--', 'echo', `x${i}`], { home: home.dir, env: { EXEC_TRACK_SERVER: down } })).exitCode).toBe(0);
    expect(spooled()).toHaveLength(5);
    const syncs = await Promise.all([0, 1, 2, 3].map(() => runCli(['sync', '--server', server.url, '--json'], { home: home.dir })));
    expect(syncs.map((s) => [s.exitCode, s.err])).toEqual(syncs.map(() => [0, '']));
    const results = syncs.flatMap((s) => JSON.parse(s.out).executions as Array<{ executionId: string; status: string }>);
    // each execution is reported by the one sync that uploaded it
    expect(results.map((e) => e.status)).toEqual(results.map(() => 'finished'));
    expect(new Set(results.map((e) => e.executionId)).size).toBe(5);
    expect(results).toHaveLength(5);
    expect(spooled()).toHaveLength(0);
    expect(serverRows().users).toHaveLength(1);
    expect(Object.keys(config().servers)).toContain(server.url);
  });

  /** Two users minted straight from the API, as two racing processes of an older exec-track did. */
  async function twoUsers(): Promise<Array<{ userId: string; token: string; claimKey: string; sessionId: string }>> {
    return Promise.all(
      [0, 1].map(async () => {
        const { user, token } = await requestJson<{ user: { id: string }; token: string }>(`${server.url}/api/v1/users`, { method: 'POST', body: {} });
        const { claimKey } = await requestJson<{ claimKey: string }>(`${server.url}/api/v1/claims`, { method: 'POST', body: {}, bearer: token });
        const { session } = await requestJson<{ session: { id: string } }>(`${server.url}/api/v1/sessions`, {
          method: 'POST',
          body: { title: 'default' },
          bearer: claimKey,
        });
        return { userId: user.id, token, claimKey, sessionId: session.id };
      }),
    );
  }

  it.each([
    ["another user's claim key next to the token", 'key'],
    ["another user's session in the title map", 'session'],
  ])('a config.json holding %s heals: runs land on the server and stay there', async (_, mixed) => {
    const [a, b] = await twoUsers();
    const sessionId = mixed === 'key' ? a!.sessionId : b!.sessionId;
    const claim = mixed === 'key' ? { claimKey: b!.claimKey, claimExpiresAt: Date.now() + 20 * 3600_000 } : {};
    const creds = { userId: a!.userId, token: a!.token, ...claim, currentSession: sessionId, sessionTitles: { default: sessionId } };
    writeFileSync(join(home.dir, 'config.json'), JSON.stringify({ servers: { [server.url]: creds } }));

    for (const text of ['first', 'second']) {
      const run = await runCli(['run', '--', 'echo', text], { home: home.dir, env: env() });
      expect(run.exitCode).toBe(0);
      expect(run.err).not.toMatch(/spool/);
      const { execution } = await getExecution(server.url, executionIdOf(run.err));
      expect(execution.state).toBe('Passive');
      const { session } = await requestJson<{ session: { id: string } }>(`${server.url}/api/v1/sessions/${execution.sessionId}`);
      const { sessions } = await requestJson<{ sessions: Array<{ id: string }> }>(`${server.url}/api/v1/sessions`, { bearer: a!.token });
      expect(sessions.map((s) => s.id)).toContain(session.id);
    }
    expect(spooled()).toEqual([]);
    expect(config().servers[server.url].claimKey).toContain(a!.userId);
  });
});
