import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createPool, transaction } from '../../../src/store/postgres/connection.js';
import { SCHEMA_VERSION } from '../../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../../src/store/postgres/open.js';
import type { Store } from '../../../src/store/store.js';
import { startCluster, type PgCluster } from '../../helpers/postgres.js';
import type { SeriesQuery } from '../../../src/store/downsample.js';
import { EXEC, newExecution } from '../setup.js';
import { storeContract } from './index.js';
import { storeCurve } from './series.js';

// one cluster for this file and one database for the suite, emptied before each test (a database per
// test cost ~0.5 s each)
let cluster: PgCluster;
let url: string;
let admin: pg.Client;
beforeAll(async () => {
  cluster = await startCluster();
  url = await cluster.createDatabase();
  await (await openPostgresStore(url)).close();
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await cluster?.stop();
});

async function empty(): Promise<void> {
  // executions, lines and points go with their sessions (ON DELETE CASCADE)
  await admin.query('DELETE FROM sessions; DELETE FROM users; DELETE FROM secrets; DELETE FROM rate_windows');
}

storeContract('PostgresStore', async (lineQuota) => {
  await empty();
  const opened: Store[] = [await openPostgresStore(url, { lineQuota })];
  onTestFinished(async () => {
    for (const store of opened) await store.close().catch(() => undefined);
  });
  return {
    store: opened[0]!,
    reopen: async () => {
      opened.push(await openPostgresStore(url, { lineQuota }));
      return opened.at(-1)!;
    },
  };
});

describe('PostgresStore shared by several instances', () => {
  const session = (i: number) => `s_${String(i).padStart(22, 'P')}`;
  const execution = (i: number) => `e_${String(i).padStart(22, 'P')}`;
  const twoInstances = async () => {
    await empty();
    const stores = [await openPostgresStore(url), await openPostgresStore(url)] as const;
    onTestFinished(async () => {
      for (const s of stores) await s.close();
    });
    return stores;
  };

  it('marks each ghost lost once when two sweepers run at the same moment', async () => {
    const [a, b] = await twoInstances();
    await a.createSession({ id: session(0), title: 'ghosts', createdAt: 1, ownerId: null });
    for (let i = 0; i < 30; i++) await a.createExecution({ ...newExecution(execution(i), session(0), 1_000), receivedAt: 1_000 });
    const [byA, byB] = await Promise.all([a.markLost(5_000, 'lost contact'), b.markLost(5_000, 'lost contact')]);
    expect([...byA, ...byB].sort()).toEqual(Array.from({ length: 30 }, (_, i) => execution(i)).sort());
  });

  it('purges each old session once when two instances run retention at the same moment', async () => {
    const [a, b] = await twoInstances();
    for (let i = 0; i < 30; i++) await a.createSession({ id: session(i), title: 'old', createdAt: 1, ownerId: null });
    const [byA, byB] = await Promise.all([a.purge(10_000), b.purge(10_000)]);
    expect(byA.sessions + byB.sessions).toBe(30);
    expect(await a.countSessions(null)).toBe(0);
  });

  it('reads a whole series from the chart summaries without a point blob, and the points when a chunk has no summary (stored before schema 3)', async () => {
    const [store] = await twoInstances();
    await store.createSession({ id: session(0), title: 'chart', createdAt: 1, ownerId: null });
    await store.createExecution({ ...newExecution(EXEC, session(0), 1_000), receivedAt: 1_000 });
    await storeCurve(store, 6000, 700);
    const whole: SeriesQuery = { x: 'step', buckets: 20 };
    const before = await store.metricSeries(EXEC, 'loss', whole);
    const count = async (table: string) => (await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;
    expect(await count('metric_blocks')).toBe(await count('metric_chunks'));
    // empty every point blob (17 zero bytes: the compact layout of no point): the summaries still answer
    await admin.query("UPDATE metric_chunks SET points = decode(repeat('00', 17), 'hex')");
    expect(await store.metricSeries(EXEC, 'loss', whole)).toEqual(before);
    expect(await store.metricSeries(EXEC, 'loss', { ...whole, from: 0 })).toMatchObject({ total: 0 });
    await admin.query('DELETE FROM metric_blocks WHERE chunk = (SELECT min(chunk) FROM metric_blocks)');
    expect(await store.metricSeries(EXEC, 'loss', whole)).toMatchObject({ total: 0 });
  });

  it('refuses a database of a newer schema in one sentence', async () => {
    await admin.query('UPDATE exec_track_schema SET version = 99');
    onTestFinished(async () => {
      await admin.query('UPDATE exec_track_schema SET version = $1', [SCHEMA_VERSION]);
    });
    await expect(openPostgresStore(url)).rejects.toMatchObject({
      code: 'STORE_ERROR',
      message: `The database was written by a newer exec-track (schema 99; this one reads up to ${SCHEMA_VERSION}); upgrade exec-track to use it.`,
    });
  });

  it('survives a connection terminated in the middle of a transaction (a restart): the transaction fails, the process does not', async () => {
    const pool = createPool(url, 2, () => undefined);
    onTestFinished(() => pool.end());
    const terminated = transaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // between two queries: the termination arrives as an 'error' event of a checked-out client, fatal to the process without a listener
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.query('SELECT 1');
    });
    await expect(terminated).rejects.toThrow();
    expect((await transaction(pool, (client) => client.query('SELECT 1 AS one'))).rows).toEqual([{ one: 1 }]);
    const store = await openPostgresStore(url);
    onTestFinished(() => store.close());
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
