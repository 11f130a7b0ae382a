import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { executionIdOf, getExecution } from '../client/server-reads.js';

describe('sessions, session new and config against a server', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess | undefined;
  beforeEach(() => (home = tempHome()));
  afterEach(async () => {
    await server?.stop();
    home.cleanup();
  });

  it('creates a current session that runs land in, lists it, and never prints the token unless asked', async () => {
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });
    expect((await runCli(['config', 'set', 'server', `${server.url}/`], { home: home.dir })).exitCode).toBe(0);

    const created = await runCli(['session', 'new', 'sweep 1'], { home: home.dir });
    expect(created.exitCode).toBe(0);
    const sessionId = /(s_[A-Za-z0-9_-]{22})/.exec(created.out)![1]!;

    const run = await runCli(['run', '--', 'sh', '-c', 'echo loss=0.5'], { home: home.dir });
    expect(run.exitCode).toBe(0);
    expect((await getExecution(server.url, executionIdOf(run.err))).execution).toMatchObject({ sessionId, state: 'Passive', lineCount: 1 });

    const byTitle = await runCli(['run', '--session', 'other', '--', 'true'], { home: home.dir });
    const listed = JSON.parse((await runCli(['sessions', '--json'], { home: home.dir })).out);
    const otherId = listed.sessions.find((s: { title: string }) => s.title === 'other').id;
    // the last session used is the current one
    expect(listed.current).toBe(otherId);
    expect(listed.sessions.map((s: { title: string }) => s.title).sort()).toEqual(['other', 'sweep 1']);
    expect((await getExecution(server.url, executionIdOf(byTitle.err))).execution.sessionId).toBe(otherId);

    expect((await runCli(['session', 'use', 'sweep 1'], { home: home.dir })).out).toBe(`Session ${sessionId} "sweep 1" is now the current session.\n`);
    const table = await runCli(['sessions'], { home: home.dir });
    expect(table.out).toMatch(new RegExp(`^\\* ${sessionId}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  sweep 1$`, 'm'));

    const { token, claimKey } = JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8')).servers[server.url];
    expect(token).toMatch(/^ut_/);
    const shown = await runCli(['config', 'show'], { home: home.dir });
    const shownJson = await runCli(['config', 'show', '--json'], { home: home.dir });
    for (const out of [shown.out, shownJson.out, created.out, created.err, run.err, table.out]) {
      expect(out).not.toContain(token);
      expect(out).not.toContain(claimKey);
    }
    expect(JSON.parse(shownJson.out)).toMatchObject({ server: server.url, servers: { [server.url]: { currentSession: sessionId } } });
    const secrets = await runCli(['config', 'show', '--secrets', '--json'], { home: home.dir });
    expect(JSON.parse(secrets.out).servers[server.url]).toMatchObject({ token, claimKey });
  });

  it.each([['ftp://example.com'], ['not a url'], ['http://host:8080/?x=1']])('rejects server URL %s as a usage error (exit 2)', async (url) => {
    const result = await runCli(['config', 'set', 'server', url], { home: home.dir });
    expect(result.exitCode).toBe(2);
    expect(result.err).toMatch(/is not a server URL; give one like http:\/\/127\.0\.0\.1:8080\./);
  });

  it('unsets the server so runs go back to the embedded store', async () => {
    await runCli(['config', 'set', 'server', 'http://127.0.0.1:1'], { home: home.dir });
    expect((await runCli(['config', 'unset', 'server'], { home: home.dir })).exitCode).toBe(0);
    expect(JSON.parse((await runCli(['config', 'show', '--json'], { home: home.dir })).out).server).toBeNull();
    const run = await runCli(['run', '--', 'true'], { home: home.dir });
    expect(run.err).not.toMatch(/unreachable/);
  });

  it('lists embedded sessions and makes a new one current', async () => {
    const created = await runCli(['session', 'new', 'local one'], { home: home.dir });
    expect(created.exitCode).toBe(0);
    const listed = JSON.parse((await runCli(['sessions', '--json'], { home: home.dir })).out);
    expect(listed.sessions).toEqual([expect.objectContaining({ title: 'local one', id: listed.current })]);
  });
});
