import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listSpool } from '../../src/spool/spool-files.js';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { allReports, executionIdOf, getExecution, startCli } from '../client/server-reads.js';

/** A port nothing listens on (taken from the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const FC15 = "import os,sys,time; print('step=1 loss=0.9', flush=True); sys.stderr.write('child %d\\n' % os.getpid()); sys.stderr.flush(); time.sleep(600)";

describe('FC-15: the wrapper is killed with SIGKILL', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess | undefined;
  let childPid: number | undefined;
  beforeEach(() => (home = tempHome()));
  afterEach(async () => {
    if (childPid) process.kill(childPid, 'SIGKILL');
    await server?.stop();
    home.cleanup();
  });

  it('leaves no ghost Running: lost contact within the heartbeat timeout, line and metrics kept, spool syncable', async () => {
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db'), '--heartbeat-timeout', '1s'] });
    const run = startCli(['run', '--server', server.url, '--', 'python3', '-c', FC15], { home: home.dir });
    let err = '';
    run.proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await vi.waitFor(() => expect(err).toMatch(/child (\d+)/), { timeout: 20_000, interval: 50 });
    childPid = Number(/child (\d+)/.exec(err)![1]);
    const id = executionIdOf(err);
    await vi.waitFor(async () => expect((await allReports(server!.url, id)).map((r) => r.text)).toEqual(['step=1 loss=0.9', `child ${childPid}`]), {
      timeout: 10_000,
      interval: 100,
    });
    run.proc.kill('SIGKILL');
    await run.result;

    await vi.waitFor(async () => expect((await getExecution(server!.url, id)).execution.state).toBe('Exec crushed'), { timeout: 10_000, interval: 200 });
    const { execution, metrics } = await getExecution(server.url, id);
    expect(execution).toMatchObject({ reason: 'lost contact', exitCode: null, lineCount: 2 });
    expect(metrics.loss).toMatchObject({ last: 0.9, count: 1 });

    expect(listSpool({ EXEC_TRACK_HOME: home.dir }).map((e) => e.meta.execution.id)).toEqual([id]);
    const sync = await runCli(['sync', '--json'], { home: home.dir });
    expect(sync.exitCode).toBe(0);
    expect(JSON.parse(sync.out).executions).toEqual([expect.objectContaining({ executionId: id, status: 'lines' })]);
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);
    await vi.waitFor(async () => expect((await getExecution(server!.url, id)).execution).toMatchObject({ state: 'Exec crushed', lineCount: 2 }), {
      timeout: 10_000,
      interval: 200,
    });
  });

  it('a wrapper killed while the server was down and synced later ends at its last spooled sign of life, not at the sync', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const run = startCli(['run', '--server', url, '--', 'sh', '-c', 'echo "child $$" >&2; echo a; sleep 1; echo b; exec sleep 600'], { home: home.dir });
    let err = '';
    let out = '';
    run.proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    run.proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await vi.waitFor(() => expect(out).toBe('a\nb\n'), { timeout: 20_000, interval: 50 });
    childPid = Number(/child (\d+)/.exec(err)![1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    run.proc.kill('SIGKILL');
    await run.result;
    const id = executionIdOf(err);
    // the sync comes much later than the run's end: 2 s and a server start after it, past the 2.5 s bound below
    await new Promise((resolve) => setTimeout(resolve, 2000));
    server = await startServer({ home: home.dir, port, args: ['--db', join(home.dir, 'server.db')] });
    const sync = await runCli(['sync', '--json'], { home: home.dir });
    expect(JSON.parse(sync.out).executions).toEqual([expect.objectContaining({ executionId: id, status: 'lines', lines: 3 })]);
    const { execution } = await getExecution(server.url, id);
    expect(execution).toMatchObject({ state: 'Exec crushed', reason: 'tracker died', exitCode: null, lineCount: 3 });
    expect(execution.durationMs).toBeGreaterThanOrEqual(900);
    expect(execution.durationMs).toBeLessThan(2500);
  });
});
