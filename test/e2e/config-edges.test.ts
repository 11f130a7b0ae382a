import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServer, tempHome } from '../helpers/cli.js';

/** Issue 9 item 10: config, sessions and server URLs at their edges, each answered in one sentence. */
describe('config and sessions at the edges', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => (home = tempHome()));
  afterEach(() => home.cleanup());
  const configPath = () => join(home.dir, 'config.json');

  it('sessions --server with no identity there asks the server: unreachable is exit 1, reachable says there is no identity yet', async () => {
    const down = await runCli(['sessions', '--server', 'http://127.0.0.1:9'], { home: home.dir });
    expect(down.exitCode).toBe(1);
    expect(down.err).toMatch(/^exec-track: Cannot reach the exec-track server at http:\/\/127\.0\.0\.1:9; .*\n$/);

    const serverHome = tempHome();
    const server = await startServer({ home: serverHome.dir, args: ['--db', join(serverHome.dir, 'server.db')] });
    try {
      const up = await runCli(['sessions', '--server', server.url], { home: home.dir });
      expect(up.exitCode).toBe(0);
      expect(up.out).toContain(`No sessions on ${server.url} from this machine: it has no identity there until its first run`);
      expect(existsSync(configPath())).toBe(false);
    } finally {
      await server.stop();
      serverHome.cleanup();
    }
  });

  it('config set server in a home that cannot be written says so in one sentence, exit 1', async () => {
    writeFileSync(join(home.dir, 'file'), '');
    const result = await runCli(['config', 'set', 'server', 'http://127.0.0.1:1'], { home: join(home.dir, 'file', 'home') });
    expect(result.exitCode).toBe(1);
    expect(result.err).toBe(
      `exec-track: Cannot write ${join(home.dir, 'file', 'home')} (ENOTDIR); make EXEC_TRACK_HOME writable or point it at a writable directory.\n`,
    );
  });

  it('config show shows the server in effect and where it comes from', async () => {
    await runCli(['config', 'set', 'server', 'http://127.0.0.1:1'], { home: home.dir });
    const env = { EXEC_TRACK_SERVER: 'http://127.0.0.1:2' };
    const text = await runCli(['config', 'show'], { home: home.dir, env });
    expect(text.out).toContain("server: http://127.0.0.1:2 (from EXEC_TRACK_SERVER, overriding the config's http://127.0.0.1:1)");
    const json = JSON.parse((await runCli(['config', 'show', '--json'], { home: home.dir, env })).out);
    expect(json).toMatchObject({ server: 'http://127.0.0.1:2', serverFrom: 'EXEC_TRACK_SERVER', configServer: 'http://127.0.0.1:1' });
    expect(JSON.parse((await runCli(['config', 'show', '--json'], { home: home.dir })).out)).toMatchObject({
      server: 'http://127.0.0.1:1',
      serverFrom: 'config',
    });
  });

  it('refuses a server URL with a password everywhere, never echoing or storing the password', async () => {
    const url = 'http://alice:s3cretpw@127.0.0.1:9';
    const set = await runCli(['config', 'set', 'server', url], { home: home.dir });
    const run = await runCli(['run', '--', 'echo', 'hi'], { home: home.dir, env: { EXEC_TRACK_SERVER: url } });
    const sync = await runCli(['sync', '--server', url], { home: home.dir });
    for (const result of [set, run, sync]) {
      expect(result.exitCode).toBe(2);
      expect(result.err).toBe(
        'exec-track: The server URL "http://alice:***@127.0.0.1:9" holds a user name or password; give it without them (see docs/security.md for servers behind a password).\n',
      );
    }
    expect(run.out).toBe('');
    expect(existsSync(join(home.dir, 'spool'))).toBe(false);
    expect(existsSync(configPath()) ? readFileSync(configPath(), 'utf8') : '').not.toContain('s3cretpw');
  });

  it('warns about a corrupt config.json, and keeps it as config.json.corrupt when it writes a fresh one', async () => {
    writeFileSync(configPath(), '{"server": "http://127.0.0.1:1",');
    const shown = await runCli(['config', 'show'], { home: home.dir });
    expect(shown.exitCode).toBe(0);
    expect(shown.err).toBe(`exec-track: ${configPath()} is not valid JSON, so its settings are ignored; fix it or delete it\n`);

    const set = await runCli(['config', 'set', 'server', 'http://127.0.0.1:2'], { home: home.dir });
    expect(set.exitCode).toBe(0);
    expect(set.err).toBe(
      `exec-track: ${configPath()} was not valid JSON; it was moved to ${configPath()}.corrupt and a fresh one written (set the server again if you had one)\n`,
    );
    expect(readFileSync(`${configPath()}.corrupt`, 'utf8')).toBe('{"server": "http://127.0.0.1:1",');
    expect(JSON.parse(readFileSync(configPath(), 'utf8')).server).toBe('http://127.0.0.1:2');
  });
});
