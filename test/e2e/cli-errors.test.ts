import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

describe('CLI errors', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => (home = tempHome()));
  afterEach(() => home.cleanup());

  it.each([
    [['bogus'], "exec-track: unknown command 'bogus'; run `exec-track --help` for usage.\n"],
    [['run', '--'], "exec-track: missing required argument 'cmd'; run `exec-track --help` for usage.\n"],
    [['report', '--lne', '3'], "exec-track: unknown option '--lne' (Did you mean --lines?); run `exec-track --help` for usage.\n"],
    [['run', '--', ''], 'exec-track: The command to run is empty; give one after `--`, e.g. `exec-track run -- python3 train.py`.\n'],
    [['report', 'e_7ATmOZkX9rA3UsjqaTV7KQ', '--server', 'notaurl'], 'exec-track: "notaurl" is not a server URL; give one like http://127.0.0.1:8080.\n'],
  ])('answers %j with one sentence on stderr and exit 2', async (args, message) => {
    const result = await runCli(args, { home: home.dir });
    expect([result.exitCode, result.err, result.out]).toEqual([2, message, '']);
  });

  it("keeps a --json that belongs to the tracked command out of exec-track's own error format", async () => {
    const result = await runCli(['run', '--session', 'e_7ATmOZkX9rA3UsjqaTV7KQ', '--', 'tool', '--json'], { home: home.dir });
    expect(result.exitCode).toBe(2);
    expect(result.err).toMatch(/^exec-track: e_7ATmOZkX9rA3UsjqaTV7KQ is an execution id; --session takes/);
  });

  it('answers a command asked for --json with a JSON error document', async () => {
    const result = await runCli(['sessions', '--json', '--server', 'http://127.0.0.1:1'], { home: home.dir });
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.err)).toEqual({ error: { code: 'SERVER_UNREACHABLE', message: expect.stringMatching(/^Cannot reach the exec-track server/) } });
  });

  it('exits 125 without running the command when the embedded store cannot be opened', async () => {
    writeFileSync(join(home.dir, 'exec-track.db'), 'not a database, only text '.repeat(20));
    const result = await runCli(['run', '--', 'echo', 'hi'], { home: home.dir });
    expect(result.exitCode).toBe(125);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^exec-track: could not start tracking, nothing ran: Cannot open the exec-track database .*\n$/);
  });

  it('fails with 125 and one sentence, instead of hanging, for a home directory that cannot be created', async () => {
    const result = await runCli(['run', '--', 'echo', 'hi'], { home: home.dir, env: { EXEC_TRACK_HOME: '/proc/nonexist/home' }, timeoutMs: 20_000 });
    expect(result.exitCode).toBe(125);
    expect(result.err).toBe(
      'exec-track: could not start tracking, nothing ran: Cannot create the directory of /proc/nonexist/home/exec-track.db; check the path and its permissions.\n',
    );
  });

  it('says the server is unreachable, not that nothing was recorded, when report has no target', async () => {
    const result = await runCli(['report', '--server', 'http://127.0.0.1:1'], { home: home.dir });
    expect(result.exitCode).toBe(1);
    expect(result.err).toBe('exec-track: Cannot reach the exec-track server at http://127.0.0.1:1; check that it is running and the URL is right.\n');
  });
});
