import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSpool } from '../../src/spool/spool-files.js';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { allReports, executionIdOf, getExecution, notices, startCli } from '../client/server-reads.js';
import { waitFor } from './run-helpers.js';

const FC16 = "import time;[(print('step=%d loss=%.3f'%(i,1/(i+1)),flush=True),time.sleep(0.1)) for i in range(60)]";

describe('RemoteSink against a server that goes away', () => {
  let home: ReturnType<typeof tempHome>;
  let db: string;
  let server: ServerProcess | undefined;
  beforeEach(() => {
    home = tempHome();
    db = join(home.dir, 'server.db');
  });
  afterEach(async () => {
    await server?.stop();
    home.cleanup();
  });

  it('FC-16: loses and duplicates nothing when the server stops 2 s in and returns 4 s in', async () => {
    server = await startServer({ home: home.dir, args: ['--db', db] });
    const { url, port } = server;
    const run = startCli(['run', '--server', url, '--', 'python3', '-c', FC16], { home: home.dir });
    await sleep(2_000);
    await server.stop();
    await sleep(2_000);
    server = await startServer({ home: home.dir, port, args: ['--db', db] });
    const result = await run.result;

    expect(result.exitCode).toBe(0);
    const printed = result.out.split('\n').slice(0, -1);
    expect(printed.map((l) => l.split(' ')[0])).toEqual(Array.from({ length: 60 }, (_, i) => `step=${i}`));
    expect(notices(result.err).length).toBeLessThanOrEqual(1);
    const id = executionIdOf(result.err);
    expect((await getExecution(url, id)).execution).toMatchObject({ state: 'Passive', exitCode: 0, lineCount: 60 });
    const reports = await allReports(url, id);
    expect(reports.map((r) => [r.seq, r.text])).toEqual(printed.map((text, i) => [i, text]));
    const ts = reports.map((r) => Date.parse(r.ts));
    expect(ts.every((t, i) => i === 0 || t >= ts[i - 1]!)).toBe(true);
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);
  });

  it('stores exactly 200 000 lines, seq 0..199 999, when the server is killed and restarted 3 times mid-run', async () => {
    server = await startServer({ home: home.dir, args: ['--db', db] });
    const { url, port } = server;
    // 2 000-line bursts 0.25 s apart (up to ~25 s) until the test has done its three kills and
    // restarts (the flag file), then the rest at full speed: all three kills (and, on a loaded
    // machine, slow restarts) land while lines are flowing, and the run lasts no longer than they need
    const flag = join(home.dir, 'restarted');
    const child = `import os,sys,time\nfor i in range(200000):\n  sys.stdout.write('i=%d\\n'%i)\n  if i%2000==0 and not os.path.exists(${JSON.stringify(flag)}): sys.stdout.flush(); time.sleep(0.25)`;
    // --sample off: a resource sample (every 10 s) would take a seq between lines (docs/resources.md)
    const run = startCli(['run', '--server', url, '--sample', 'off', '--', 'python3', '-c', child], { home: home.dir, stdout: 'ignore' });
    // the kills must land mid-run, not before the wrapper (slow to start on a loaded machine) reached the server
    let err = '';
    run.proc.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await waitFor(() => (err.includes('exec-track: execution ') ? true : undefined), 'the start line', 60_000);
    for (let kill = 0; kill < 3; kill++) {
      await sleep(800);
      server.proc.kill('SIGKILL');
      await new Promise((resolve) => server!.proc.once('exit', resolve));
      await sleep(300);
      server = await startServer({ home: home.dir, port, args: ['--db', db] });
    }
    // the child was still printing through all three: nothing above would have ended it
    expect(run.proc.exitCode).toBeNull();
    writeFileSync(flag, '');
    const result = await run.result;
    expect(result.exitCode).toBe(0);
    expect(notices(result.err).length).toBeLessThanOrEqual(1);
    expect(listSpool({ EXEC_TRACK_HOME: home.dir })).toEqual([]);
    const id = executionIdOf(result.err);
    expect((await getExecution(url, id)).execution).toMatchObject({ state: 'Passive', lineCount: 200_000 });
    const reports = await allReports(url, id);
    expect(reports).toHaveLength(200_000);
    expect(reports.every((r, i) => r.seq === i && r.text === `i=${i}`)).toBe(true);
  }, 180_000);
});
