import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, tempHome, type ServerProcess } from '../helpers/cli.js';
import { executionIdOf, getExecution, notices, peakRss, startCli } from '../client/server-reads.js';
import { requestJson } from '../../src/client/http.js';
import type { ReportJson } from '../../src/protocol/json.js';
import { soakSize } from '../helpers/soak.js';

/** 200 000 lines here; FC-17's 1 000 000 in `npm run soak` (test/helpers/soak.ts). */
const LINES = soakSize(200_000, 1_000_000);
const FC17 = `import sys; w=sys.stdout.write; [w('i=%d loss=0.5\\n'%i) for i in range(${LINES})]`;

describe('FC-17: a flood of lines while the server is paused', () => {
  let home: ReturnType<typeof tempHome>;
  let server: ServerProcess | undefined;
  beforeEach(() => (home = tempHome()));
  afterEach(async () => {
    server?.proc.kill('SIGCONT');
    await server?.stop();
    home.cleanup();
  });

  it(`keeps the wrapper under 150 MB and stores all ${LINES} lines without gaps`, async () => {
    server = await startServer({ home: home.dir, args: ['--db', join(home.dir, 'server.db')] });
    // --sample off: resource samples take seqs of the line quota, which 1 000 000 lines (the soak size) fill exactly (docs/resources.md)
    const run = startCli(['run', '--server', server.url, '--sample', 'off', '--', 'python3', '-c', FC17], { home: home.dir, stdout: 'ignore' });
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRss(run.proc.pid!) ?? 0)), 100);
    // pause the server mid-stream: once it has stored some lines (a fixed delay paused it before
    // the wrapper had connected when the machine was busy, which is another case: FC-16)
    let stderr = '';
    run.proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let stored = 0;
    for (; stored === 0; await sleep(50)) {
      const id = /execution (e_\S+) in session/.exec(stderr)?.[1];
      stored = id === undefined ? 0 : ((await getExecution(server.url, id).catch(() => undefined))?.execution.lineCount ?? 0);
    }
    server.proc.kill('SIGSTOP');
    // paused mid-stream, with most of the lines still to come
    expect(stored).toBeLessThan(LINES / 2);
    await sleep(5_000);
    server.proc.kill('SIGCONT');
    const result = await run.result;
    clearInterval(poll);

    expect(result.exitCode).toBe(0);
    expect(notices(result.err).length).toBeLessThanOrEqual(1);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(150 * 1024 * 1024);
    const id = executionIdOf(result.err);
    expect((await getExecution(server.url, id)).execution).toMatchObject({ state: 'Passive', lineCount: LINES });
    let expected = 0;
    for (;;) {
      const { reports } = await requestJson<{ reports: ReportJson[] }>(`${server.url}/api/v1/executions/${id}/reports?after=${expected - 1}&limit=10000`);
      if (reports.length === 0) break;
      for (const r of reports) {
        if (r.seq !== expected || r.text !== `i=${expected} loss=0.5`) throw new Error(`line ${expected} is missing or wrong: ${JSON.stringify(r)}`);
        expected++;
      }
    }
    expect(expected).toBe(LINES);
  }, 240_000);
});
