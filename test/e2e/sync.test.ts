import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSpool, type SpoolMeta } from '../../src/spool/spool-files.js';
import { SpoolWriter } from '../../src/spool/spool-writer.js';
import { newId } from '../../src/protocol/ids.js';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { allReports, getExecution, notices } from '../client/server-reads.js';

/** A port nothing listens on (taken from the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const PRINT_500_EXIT_3 = ['sh', '-c', 'i=0; while [ $i -lt 500 ]; do echo "line $i"; i=$((i+1)); done; exit 3'];

describe('exec-track sync', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess | undefined;
  beforeEach(() => (home = tempHome()));
  afterEach(async () => {
    await server?.stop();
    home.cleanup();
  });

  it('uploads what runs spooled while the server was unreachable, exactly once', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await runCli(['run', '--server', url, '--', ...PRINT_500_EXIT_3], { home: home.dir });
    expect(first.exitCode).toBe(3);
    expect(first.out.split('\n').filter(Boolean)).toHaveLength(500);
    expect(notices(first.err)).toEqual([expect.stringMatching(/^exec-track: server http:\/\/127\.0\.0\.1:\d+ unreachable; spooling to .*exec-track sync/)]);

    const second = await runCli(['run', '--server', url, '--', 'sh', '-c', 'echo only'], { home: home.dir });
    expect(second.exitCode).toBe(0);
    expect(notices(second.err)[0]).toBe('exec-track: 1 execution waiting in the spool; run `exec-track sync`');
    const embedded = await runCli(['run', '--', 'sh', '-c', 'echo local'], { home: home.dir });
    expect(notices(embedded.err)[0]).toBe('exec-track: 2 executions waiting in the spool; run `exec-track sync`');
    const spooled = listSpool({ EXEC_TRACK_HOME: home.dir }).map((e) => e.meta.execution.id);
    expect(spooled).toHaveLength(2);

    server = await startServer({ home: home.dir, port, args: ['--db', join(home.dir, 'server.db')] });
    const sync = await runCli(['sync', '--json'], { home: home.dir });
    expect(sync.exitCode).toBe(0);
    const summary = JSON.parse(sync.out);
    expect(summary.uploaded).toEqual({ executions: 2, lines: 501 });
    expect(summary.executions.map((e: { status: string }) => e.status)).toEqual(['finished', 'finished']);

    const { execution } = await getExecution(url, spooled[0]!);
    expect(execution).toMatchObject({ state: 'Execution crushed', exitCode: 3, lineCount: 500 });
    const reports = await allReports(url, spooled[0]!);
    expect(reports.map((r) => [r.seq, r.text])).toEqual(Array.from({ length: 500 }, (_, i) => [i, `line ${i}`]));
    expect((await getExecution(url, spooled[1]!)).execution).toMatchObject({ state: 'Passive', exitCode: 0, lineCount: 1 });
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);

    const again = await runCli(['sync'], { home: home.dir });
    expect(again.exitCode).toBe(0);
    expect(again.out).toBe('exec-track: nothing to sync\n');
    expect((await getExecution(url, spooled[0]!)).execution.lineCount).toBe(500);
  });

  it('creates the execution again when the server no longer knows it, and uploads every line', async () => {
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });
    const env = { EXEC_TRACK_HOME: home.dir };
    const executionId = newId('e');
    const spool = SpoolWriter.create(
      {
        server: server.url,
        session: { id: newId('s'), title: 'lost' },
        execution: { id: executionId, name: null, command: ['train'], cwd: '/', host: 'h', pid: 1, startedAt: Date.now() - 1000 },
        outcome: { state: 'Execution crushed', exitCode: 2, signal: null, reason: null, endedAt: Date.now() },
        sessionCreated: true,
        executionCreated: true,
        wrapperPid: 2 ** 22 + 4321,
      } as SpoolMeta,
      env,
    );
    for (let seq = 0; seq < 3000; seq++) spool.append({ seq, ts: Date.now(), stream: 'stdout', text: `n=${seq}` });
    spool.setAcked(1999);
    spool.close();

    const sync = await runCli(['sync', '--json'], { home: home.dir });
    expect(sync.exitCode).toBe(0);
    expect(JSON.parse(sync.out).executions).toEqual([expect.objectContaining({ executionId, status: 'finished' })]);
    expect((await getExecution(server.url, executionId)).execution).toMatchObject({ state: 'Execution crushed', exitCode: 2, lineCount: 3000 });
    expect((await allReports(server.url, executionId)).map((r) => r.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('keeps an execution in the spool and exits 1 while its server is still down', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    await runCli(['run', '--quiet', '--server', url, '--', 'sh', '-c', 'echo hi'], { home: home.dir });
    const sync = await runCli(['sync'], { home: home.dir });
    expect(sync.exitCode).toBe(1);
    expect(sync.err).toMatch(/^exec-track: e_\S+ stays in the spool: Cannot reach the exec-track server/);
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toHaveLength(1);
  });

  it('uploads to another server with --server when the one a run was started with is gone', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli(['run', '--quiet', '--server', gone, '--', ...PRINT_500_EXIT_3], { home: home.dir });
    expect(run.exitCode).toBe(3);
    const [id] = listSpool({ EXEC_TRACK_HOME: home.dir }).map((e) => e.meta.execution.id);
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });

    const sync = await runCli(['sync', '--json', '--server', server.url], { home: home.dir });
    expect(sync.exitCode).toBe(0);
    expect(JSON.parse(sync.out).executions).toEqual([expect.objectContaining({ executionId: id, server: server.url, status: 'finished', lines: 500 })]);
    expect((await getExecution(server.url, id!)).execution).toMatchObject({ state: 'Execution crushed', exitCode: 3, lineCount: 500 });
    expect((await allReports(server.url, id!)).map((r) => r.text)).toEqual(Array.from({ length: 500 }, (_, i) => `line ${i}`));
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);
  });

  it('refuses a --server that is not a server URL before touching the spool', async () => {
    await runCli(['run', '--quiet', '--server', `http://127.0.0.1:${await freePort()}`, '--', 'true'], { home: home.dir });
    const sync = await runCli(['sync', '--server', 'ftp://example.com'], { home: home.dir });
    expect(sync.exitCode).toBe(2);
    expect(sync.err).toBe('exec-track: "ftp://example.com" is not a server URL; give one like http://127.0.0.1:8080.\n');
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toHaveLength(1);
  });
});
