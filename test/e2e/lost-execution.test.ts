import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteSink } from '../../src/sink/remote-sink.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { readAcked, type SpoolMeta } from '../../src/spool/spool-files.js';
import { syncSpool } from '../../src/spool/sync.js';
import { SpoolWriter } from '../../src/spool/spool-writer.js';
import { spoolDir } from '../../src/config/paths.js';
import { newId } from '../../src/protocol/ids.js';
import type { Outcome, ReportLine } from '../../src/protocol/types.js';
import { tempHome } from '../helpers/cli.js';
import { allReports, getExecution } from '../client/server-reads.js';
import { requestJson } from '../../src/client/http.js';

const LINES = 3000;
const ACKED_BEFORE = 1999;
const outcome: Outcome = { state: 'Execution crushed', exitCode: 2, signal: null, reason: 'exited with code 2', endedAt: Date.now() };
const line = (seq: number): ReportLine => ({ seq, ts: Date.now(), stream: 'stdout', text: `n=${seq}` });
const execution = { name: null, command: ['train'], cwd: '/', host: 'h', pid: process.pid, startedAt: Date.now() - 1000, metrics: { enabled: true } };

/**
 * Issue 10 point 5: `run` (RemoteSink) and `sync` recreate an execution the server lost through one
 * policy (src/spool/server-copy.ts). Each path starts with lines 0..1999 confirmed by a server that
 * then loses everything (a new database on the same address) and must end the same way: session and
 * execution created again under the same title, every line stored exactly once, the outcome recorded.
 */
describe('an execution the server lost', () => {
  let home: ReturnType<typeof tempHome>;
  let env: NodeJS.ProcessEnv;
  let server: RunningServer | undefined;
  beforeEach(() => {
    home = tempHome();
    env = { EXEC_TRACK_HOME: home.dir };
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    home.cleanup();
  });

  /** A server on `port` (0: a free one) over a database file of its own. */
  const serve = async (port: number, db: string) => (server = await startServer(join(home.dir, db), { host: '127.0.0.1', port }));

  /** Through RemoteSink: 2000 lines acked by the first server, which is replaced by an empty one; 1000 more, then the end. */
  async function throughRun(): Promise<string> {
    const first = await serve(0, 'first.db');
    const sink = new RemoteSink({ server: first.url, env, heartbeatMs: 200, stderr: () => undefined });
    const { executionId } = await sink.open({ ...execution, session: 'lost' });
    for (let seq = 0; seq <= ACKED_BEFORE; seq++) sink.write(line(seq));
    const dir = join(spoolDir(env), executionId);
    while (readAcked(dir) < ACKED_BEFORE) await new Promise((resolve) => setTimeout(resolve, 20));
    await first.close();
    await serve(Number(new URL(first.url).port), 'second.db');
    for (let seq = ACKED_BEFORE + 1; seq < LINES; seq++) sink.write(line(seq));
    await sink.finish(outcome);
    return executionId;
  }

  /** Through sync: a dead wrapper's spool that says lines 0..1999 are on a server that now holds nothing. */
  async function throughSync(): Promise<string> {
    const { url } = await serve(0, 'second.db');
    const executionId = newId('e');
    const { metrics: _metrics, ...body } = execution;
    const spool = SpoolWriter.create(
      {
        server: url,
        session: { id: newId('s'), title: 'lost' },
        execution: { id: executionId, ...body },
        outcome,
        sessionCreated: true,
        executionCreated: true,
        wrapperPid: 2 ** 22 + 4321,
      } as SpoolMeta,
      env,
    );
    for (let seq = 0; seq < LINES; seq++) spool.append(line(seq));
    spool.setAcked(ACKED_BEFORE);
    spool.close();
    const [result] = await syncSpool({ env });
    expect(result).toMatchObject({ executionId, status: 'finished' });
    return executionId;
  }

  it.each([
    ['run (RemoteSink)', throughRun],
    ['sync', throughSync],
  ])('%s creates it again under the same title and stores every line once', async (_path, upload) => {
    const executionId = await upload();
    const url = server!.url;
    const { execution: stored } = await getExecution(url, executionId);
    expect(stored).toMatchObject({ state: 'Execution crushed', exitCode: 2, lineCount: LINES });
    expect((await allReports(url, executionId)).map((r) => r.seq)).toEqual(Array.from({ length: LINES }, (_, i) => i));
    const { session } = await requestJson<{ session: { title: string } }>(`${url}/api/v1/sessions/${stored.sessionId}`);
    expect(session.title).toBe('lost');
  });
});
