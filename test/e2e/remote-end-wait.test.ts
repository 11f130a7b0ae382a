import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSpool } from '../../src/spool/spool-files.js';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { exited, startRun, waitFor } from './run-helpers.js';

describe('the end-of-run wait on an unresponsive server', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess | undefined;
  beforeEach(() => (home = tempHome()));
  afterEach(async () => {
    server?.proc.kill('SIGCONT');
    await server?.stop();
    home.cleanup();
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('ends at once on %s, keeps the child exit code and leaves the rest in the spool for sync', async (signal) => {
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });
    const run = startRun(['--server', server.url, '--', 'sh', '-c', 'echo first; sleep 1; echo second; exit 3'], home.dir);
    await waitFor(() => run.output().includes('first\n'), 'the first line');
    // connected and streaming: now the server stops answering (frozen, its sockets stay open)
    await waitFor(() => /execution e_/.test(run.output()), 'the start line');
    server.proc.kill('SIGSTOP');
    await waitFor(() => run.output().includes('second\n'), 'the child to end');
    // the wrapper now waits up to 10 s without progress for the server's acks
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(run.exitCode).toBeNull();
    const signalledAt = Date.now();
    run.kill(signal);
    expect(await exited(run)).toBe(3);
    expect(Date.now() - signalledAt).toBeLessThan(2000);
    expect(run.output()).toMatch(
      /exec-track: stopped waiting for the server http:\/\/127\.0\.0\.1:\d+; the rest of the run waits in .*spool\/e_[\w-]+, run `exec-track sync` later\n/,
    );
    const [spooled] = listSpool({ EXEC_TRACK_HOME: home.dir });
    expect(spooled?.meta.outcome).toMatchObject({ state: 'Execution crushed', exitCode: 3 });
  });
});
