import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listSpool } from '../../src/client/spool-files.js';
import { runCli, startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { allReports, executionIdOf, getExecution, startCli } from '../client/server-reads.js';

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
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db'), '--heartbeat-timeout', '2s'] });
    const run = startCli(['run', '--server', server.url, '--', 'python3', '-c', FC15], { home: home.dir });
    let err = '';
    run.proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await vi.waitFor(() => expect(err).toMatch(/child (\d+)/), { timeout: 20_000, interval: 50 });
    childPid = Number(/child (\d+)/.exec(err)![1]);
    const id = executionIdOf(err);
    await vi.waitFor(async () => expect((await allReports(server!.url, id)).map((r) => r.text)).toEqual(['step=1 loss=0.9', `child ${childPid}`]), { timeout: 10_000, interval: 100 });
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
    await vi.waitFor(async () => expect((await getExecution(server!.url, id)).execution).toMatchObject({ state: 'Exec crushed', lineCount: 2 }), { timeout: 10_000, interval: 200 });
  });
});
