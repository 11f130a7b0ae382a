import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { openSocket, wsUrl } from './wire.js';

const run = promisify(execFile);
let home: ReturnType<typeof tempHome>;
let server: ServerProcess;
afterEach(async () => {
  await server.stop();
  home.cleanup();
});

const MARK = {
  agent: 'MarkedAgent/7.7-ua-9f2c',
  title: 'marked-title-5d1e',
  command: 'marked-command-8b3a',
  line: 'marked-line-4c6f',
  path: 'marked-path-2e7d',
};

/** One request through curl bound to 127.0.0.9 with the marked user agent; returns the parsed body. */
async function curl(base: string, path: string, options: { body?: unknown; bearer?: string; raw?: string } = {}): Promise<any> {
  const args = [
    '-sS',
    '--interface',
    '127.0.0.9',
    '-A',
    MARK.agent,
    '-X',
    options.body !== undefined || options.raw !== undefined ? 'POST' : path.endsWith('/users') || path.endsWith('/claims') ? 'POST' : 'GET',
  ];
  if (options.bearer) args.push('-H', `Authorization: Bearer ${options.bearer}`);
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) args.push('-H', 'Content-Type: application/json', '--data-binary', payload);
  const { stdout } = await run('/usr/bin/curl', [...args, `${base}${path}`]);
  return stdout ? JSON.parse(stdout) : undefined;
}

describe('log privacy (real process)', () => {
  it('prints no IP, user agent, token, claim key, id, command or line, even on errors', async () => {
    home = tempHome();
    server = await startServer({ home: home.dir });
    const user = await curl(server.url, '/api/v1/users');
    const { claimKey } = await curl(server.url, '/api/v1/claims', { bearer: user.token });
    const { session } = await curl(server.url, '/api/v1/sessions', { body: { title: MARK.title }, bearer: claimKey });
    const { execution } = await curl(server.url, `/api/v1/sessions/${session.id}/executions`, {
      body: { command: [MARK.command, '--flag'], startedAt: Date.now() },
      bearer: claimKey,
    });
    await curl(server.url, `/api/v1/executions/${execution.id}/reports`, {
      body: { lines: [{ seq: 0, ts: 1, stream: 'stdout', text: MARK.line }] },
      bearer: claimKey,
    });
    const errors = [
      await curl(server.url, `/api/v1/${MARK.path}`),
      await curl(server.url, `/api/v1/executions/${execution.id}/reports`, { raw: `{"${MARK.line}":`, bearer: claimKey }),
      await curl(server.url, `/api/v1/executions/${execution.id}/reports`, { body: { lines: [{ seq: MARK.line }] }, bearer: claimKey }),
      await curl(server.url, `/api/v1/sessions/${session.id}/executions`, { body: { command: [MARK.command] }, bearer: 'ck_forged' }),
    ];
    expect(errors.map((e) => e.error.code)).toEqual(['NOT_FOUND', 'BAD_REQUEST', 'BAD_REQUEST', 'UNAUTHORIZED']);
    const socket = await openSocket(wsUrl(server.url, `/api/v1/executions/${execution.id}/stream`), claimKey);
    await socket.next();
    socket.send(`{"type":"${MARK.line}"}`);
    await socket.closed;
    await server.stop();

    const output = server.output();
    expect(output).toMatch(/listening on/);
    for (const secret of [
      '127.0.0.9',
      MARK.agent,
      MARK.title,
      MARK.command,
      MARK.line,
      MARK.path,
      user.token,
      user.user.id,
      claimKey,
      session.id,
      execution.id,
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
