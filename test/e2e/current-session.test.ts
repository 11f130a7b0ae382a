import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';

/** Issue 9 item 9: a plain `run` and a plain `report` agree on one current session, in both modes. */
describe('the current session', () => {
  let home: ReturnType<typeof tempHome>;
  let serverHome: ReturnType<typeof tempHome>;
  let server: ServerProcess;
  beforeAll(async () => {
    serverHome = tempHome();
    server = await startServer({ home: serverHome.dir, args: ['--db', join(serverHome.dir, 'server.db')] });
  });
  afterAll(async () => {
    await server.stop();
    serverHome.cleanup();
  });
  beforeEach(() => (home = tempHome()));
  afterEach(() => home.cleanup());

  const modes = [
    ['the embedded store', () => ({})],
    ['a server', () => ({ EXEC_TRACK_SERVER: server.url })],
  ] as const;

  it.each(modes)('in %s: the last session used is current, a plain run records there and a plain report shows it; session use switches', async (_, env) => {
    const cli = (args: string[]) => runCli(args, { home: home.dir, env: env() });
    const report = async () =>
      JSON.parse((await cli(['report', '--json'])).out) as { session: { id: string; title: string }; executions: Array<{ name: string }> };

    expect((await cli(['run', '-n', 'one', '--', 'true'])).exitCode).toBe(0);
    expect((await cli(['run', '-s', 'other', '-n', 'two', '--', 'true'])).exitCode).toBe(0);
    expect((await cli(['run', '-n', 'three', '--', 'true'])).exitCode).toBe(0);
    const other = await report();
    expect(other.session.title).toBe('other');
    expect(other.executions.map((e) => e.name).sort()).toEqual(['three', 'two']);

    const used = await cli(['session', 'use', 'default']);
    expect(used.exitCode).toBe(0);
    expect(used.out).toMatch(/^Session s_\S+ "default" is now the current session\.\n$/);
    expect((await cli(['run', '-n', 'four', '--', 'true'])).exitCode).toBe(0);
    const back = await report();
    expect(back.session.title).toBe('default');
    expect(back.executions.map((e) => e.name).sort()).toEqual(['four', 'one']);

    expect((await cli(['session', 'use', other.session.id])).exitCode).toBe(0);
    expect((await report()).session.id).toBe(other.session.id);
  });

  it.each(modes)('in %s: session use of an unknown session is NOT_FOUND (exit 1) and keeps the current one', async (_, env) => {
    const cli = (args: string[]) => runCli(args, { home: home.dir, env: env() });
    expect((await cli(['run', '--', 'true'])).exitCode).toBe(0);
    const missing = await cli(['session', 'use', 'no such title']);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toMatch(/^exec-track: No session .*no such title.*; run `exec-track sessions` to list them\.\n$/);
    expect(JSON.parse((await cli(['report', '--json'])).out).session.title).toBe('default');
  });
});
