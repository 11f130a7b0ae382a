import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { FIXTURES, collect, tempHome } from '../helpers/cli.js';

const OPEN = resolve(import.meta.dirname, '../../dist/store/open.js');
const WRITER = join(FIXTURES, 'store/writer.mjs');
const home = tempHome();
afterEach(() => home.cleanup());

describe('openStore under concurrency', () => {
  it('lets 8 processes open one fresh file at the same moment and all write their lines', async () => {
    const path = join(home.dir, 'fresh', 'exec-track.db');
    const ids = Array.from({ length: 8 }, (_, i) => `e_WRITER${i}`.padEnd(24, 'x'));
    const runs = ids.map((id) => collect(spawn(process.execPath, [WRITER, OPEN, path, id, '2000'], { stdio: ['pipe', 'pipe', 'pipe'] })));
    const results = await Promise.all(runs);
    expect(results.map((r) => [r.exitCode, r.err])).toEqual(ids.map(() => [0, '']));

    const store = await openStore(path);
    try {
      const executions = await store.listExecutions('s_SHAREDSHAREDSHAREDSHAR');
      expect(executions.map((e) => [e.id, e.state, e.lineCount]).sort()).toEqual(ids.map((id) => [id, 'Passive', 2000]).sort());
      for (const id of ids) {
        const lines = await store.readReports(id);
        expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
        expect((await store.metricSummary(id)).loss).toEqual({ last: 1999, min: 0, max: 1999, count: 2000 });
      }
    } finally {
      await store.close();
    }
  }, 120_000);

  it('migrates a file once and reopens it without change', async () => {
    const path = join(home.dir, 'again.db');
    await (await openStore(path)).close();
    const store = await openStore(path);
    await store.createSession({ id: 's_AAAAAAAAAAAAAAAAAAAAAA', title: 't', createdAt: 1, ownerId: null });
    await store.close();
    const reopened = await openStore(path);
    expect((await reopened.listSessions(null)).map((s) => s.title)).toEqual(['t']);
    await reopened.close();
  });

  it.each([0, -1, 1.5])('refuses the line quota %j with a USAGE error', async (lineQuota) => {
    await expect(openStore(join(home.dir, 'q.db'), { lineQuota })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('openStore on a bad file', () => {
  const bad = tempHome();
  afterEach(() => bad.cleanup());

  it('throws STORE_ERROR for a file that is not a database', async () => {
    const path = join(bad.dir, 'not-a-db');
    writeFileSync(path, 'hello, this is not SQLite '.repeat(100));
    await expect(openStore(path)).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });
});
