import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSpool } from '../../src/spool/spool-files.js';
import { TEXT_LIMITS } from '../../src/protocol/limits.js';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';

/** A port nothing listens on (taken from the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const UNKNOWN_SESSION = 's_AAAAAAAAAAAAAAAAAAAAAA';
const LONG_TITLE = 't'.repeat(TEXT_LIMITS.sessionTitle + 1);
const LONG_NAME = 'n'.repeat(TEXT_LIMITS.executionName + 1);

describe('input the server would refuse (issue 9 item 8)', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess | undefined;
  beforeEach(() => (home = tempHome()));
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    home.cleanup();
  });

  const modes = [
    ['embedded', {}],
    ['server mode (server down)', { EXEC_TRACK_SERVER: 'http://127.0.0.1:1' }],
  ] as const;

  it.each(modes)('%s: a --name or session title over the limit is a usage error (exit 2) before the command runs', async (_mode, env) => {
    for (const [args, what] of [
      [['--name', LONG_NAME], '--name'],
      [['-s', LONG_TITLE], 'The session title given to --session'],
    ] as const) {
      const result = await runCli(['run', ...args, '--', 'echo', 'ran'], { home: home.dir, env });
      expect([result.exitCode, result.out]).toEqual([2, '']);
      expect(result.err).toBe(`exec-track: ${what} must be ${what === '--name' ? 'at most' : '1 to'} 200 characters long (it has 201); shorten it.\n`);
    }
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);
  });

  it.each(modes)('%s: an execution id given to --session is a usage error, not a new session title', async (_mode, env) => {
    const id = 'e_AAAAAAAAAAAAAAAAAAAAAA';
    const result = await runCli(['run', '-s', id, '--', 'echo', 'ran'], { home: home.dir, env });
    expect([result.exitCode, result.out]).toEqual([2, '']);
    expect(result.err).toBe(
      `exec-track: ${id} is an execution id; --session takes a session id (s_…) or a title (\`exec-track report ${id}\` shows which session it is in).\n`,
    );
  });

  it('embedded: an unknown session id exits 125 (the tracker failed before the command ran), nothing ran', async () => {
    const result = await runCli(['run', '-s', UNKNOWN_SESSION, '--', 'echo', 'ran'], { home: home.dir });
    expect([result.exitCode, result.out]).toEqual([125, '']);
    expect(result.err).toBe(
      `exec-track: could not start tracking, nothing ran: No session ${UNKNOWN_SESSION} in the embedded store; run \`exec-track sessions\` to list them.\n`,
    );
  });

  it('server up: an unknown session id exits 125 before the command runs, nothing is spooled', async () => {
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });
    const result = await runCli(['run', '--server', server.url, '-s', UNKNOWN_SESSION, '--', 'echo', 'ran'], { home: home.dir });
    expect([result.exitCode, result.out]).toEqual([125, '']);
    expect(result.err).toBe(
      `exec-track: could not start tracking, nothing ran: No session ${UNKNOWN_SESSION} on the server ${server.url}; run \`exec-track sessions\` to list yours, or give a title to create one.\n`,
    );
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);
  });

  it('server down: the unknown session is refused at sync, reported once and set aside, never retried', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const run = await runCli(['run', '--server', url, '-s', UNKNOWN_SESSION, '--', 'echo', 'ran'], { home: home.dir });
    expect([run.exitCode, run.out]).toEqual([0, 'ran\n']);
    const [spooled] = listSpool({ EXEC_TRACK_HOME: home.dir });
    server = await startServer({ home: home.dir, port, args: ['--db', join(home.dir, 'server.db')] });

    const sync = await runCli(['sync'], { home: home.dir });
    expect(sync.exitCode).toBe(1);
    expect(sync.err).toMatch(
      new RegExp(
        `^exec-track: the server refused ${spooled!.meta.execution.id} for good \\(.*\\); it was set aside in the spool's rejected/ folder and will not be sent again.\\n$`,
      ),
    );
    const aside = join(home.dir, 'spool', 'rejected', spooled!.meta.execution.id);
    expect(readFileSync(join(aside, 'reason'), 'utf8')).toMatch(/^NOT_FOUND \(HTTP 404\): /);
    expect(existsSync(join(aside, 'lines.ndjson'))).toBe(true);

    const again = await runCli(['sync'], { home: home.dir });
    expect([again.exitCode, again.out, again.err]).toEqual([0, 'exec-track: nothing to sync\n', '']);
    const next = await runCli(['run', '--server', url, '--', 'true'], { home: home.dir });
    expect(next.err).not.toMatch(/waiting in the spool/);
  });

  it('server down: an unknown session id spooled offline and moved with sync --server is set aside, never created there', async () => {
    const run = await runCli(['run', '--server', 'http://127.0.0.1:9', '-s', UNKNOWN_SESSION, '--', 'echo', 'ran'], { home: home.dir });
    expect(run.exitCode).toBe(0);
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });
    const sync = await runCli(['sync', '--server', server.url], { home: home.dir });
    expect(sync.exitCode).toBe(1);
    expect(sync.err).toMatch(/the server refused e_\S+ for good/);
    const read = await runCli(['report', UNKNOWN_SESSION, '--server', server.url], { home: home.dir });
    expect(read.exitCode).toBe(1);
  });

  it("server up: a run into another user's session is refused once, runs on untracked, and its spool is set aside", async () => {
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });
    const other = tempHome();
    try {
      const created = await runCli(['session', 'new', 'theirs', '--server', server.url], { home: other.dir });
      const theirs = /Created session (s_\S+)/.exec(created.out)![1]!;
      const run = await runCli(['run', '--server', server.url, '-s', theirs, '--', 'sh', '-c', 'echo ran; exit 4'], { home: home.dir });
      expect([run.exitCode, run.out]).toEqual([4, 'ran\n']);
      const notices = run.err.split('\n').filter((l) => l.startsWith('exec-track: ') && !/^exec-track: (execution|watch it at|Execution crushed)/.test(l));
      expect(notices).toEqual([
        expect.stringMatching(
          /^exec-track: the server refused this execution for good \(.+\); the command runs on untracked, its output is set aside in .*rejected\/e_/,
        ),
      ]);
      expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);
      expect(readdirSync(join(home.dir, 'spool', 'rejected'))).toHaveLength(1);
      const sync = await runCli(['sync'], { home: home.dir });
      expect(sync.out).toBe('exec-track: nothing to sync\n');
    } finally {
      other.cleanup();
    }
  });
});
