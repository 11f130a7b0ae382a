import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let server: ServerProcess;
beforeAll(async () => {
  home = tempHome();
  server = await startServer({ home: home.dir });
  for (const script of ['echo "epoch=1 loss=0.5"; echo "epoch=2 loss=0.25"', 'echo "loss: 0.75"; echo bad >&2; exit 4']) {
    const ran = await runCli(['run', '--quiet', '--server', server.url, '--', 'sh', '-c', script], { home: home.dir });
    expect(ran.exitCode).toBe(script.includes('exit 4') ? 4 : 0);
  }
});
afterAll(async () => {
  await server.stop();
  home.cleanup();
});

const report = (args: string[], env?: NodeJS.ProcessEnv) => runCli(['report', ...args], { home: home.dir, env });

describe('report against a server', () => {
  it('lists the current session with its executions and metric columns', async () => {
    const result = await report(['--server', server.url, '--metric', 'loss']);
    expect(result.exitCode).toBe(0);
    const rows = result.out.trim().split('\n').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/Passive .* 0 .* 0\.25$/);
    expect(rows[1]).toMatch(/Execution crushed .* 4 .* 0\.75$/);
  });

  it('prints the same JSON document shapes as the embedded store, metrics and points included', async () => {
    const doc = JSON.parse((await report(['last', '--json', '--points'], { EXEC_TRACK_SERVER: server.url })).out);
    expect(Object.keys(doc)).toEqual(['execution', 'reports', 'metrics', 'resources', 'points']);
    expect(doc.execution).toMatchObject({
      command: ['sh', '-c', 'echo "loss: 0.75"; echo bad >&2; exit 4'],
      state: 'Execution crushed',
      exitCode: 4,
      lineCount: 2,
    });
    expect(doc.reports.map((r: { stream: string; text: string }) => `${r.stream}:${r.text}`)).toEqual(['stdout:loss: 0.75', 'stderr:bad']);
    expect(doc.metrics).toEqual({ loss: { last: 0.75, min: 0.75, max: 0.75, count: 1 } });
    expect(doc.points).toEqual([{ key: 'loss', step: 0, value: 0.75, ts: doc.reports[0].ts, seq: 0 }]);

    const session = JSON.parse((await report(['--json', '--server', server.url])).out);
    expect(Object.keys(session)).toEqual(['session', 'executions']);
    expect(Object.keys(session.session)).toEqual(['id', 'title', 'createdAt']);
  });

  it('answers an unknown id with exit 1 and one sentence', async () => {
    const result = await report(['e_AAAAAAAAAAAAAAAAAAAAAA', '--server', server.url]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toBe(
      `exec-track: No execution e_AAAAAAAAAAAAAAAAAAAAAA found on ${server.url}; check the id or run \`exec-track report\` to list this session's executions.\n`,
    );
  });

  it('answers an unreachable server with exit 1 and one sentence', async () => {
    const result = await report(['e_AAAAAAAAAAAAAAAAAAAAAA', '--server', 'http://127.0.0.1:9']);
    expect(result.exitCode).toBe(1);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toContain('Cannot reach the exec-track server');
  });
});
