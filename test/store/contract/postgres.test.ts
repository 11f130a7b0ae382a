import pg from 'pg';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { openPostgresStore } from '../../../src/store/postgres/open.js';
import type { Store } from '../../../src/store/store.js';
import { startCluster, type PgCluster } from '../../helpers/postgres.js';
import { storeContract } from './index.js';

// one cluster for this file and one database for the suite, emptied before each test (a database per
// test cost ~0.5 s each)
let cluster: PgCluster;
let url: string;
beforeAll(async () => {
  cluster = await startCluster();
  url = await cluster.createDatabase();
  await (await openPostgresStore(url)).close();
});
afterAll(async () => {
  await cluster?.stop();
});

async function empty(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // executions, lines and points go with their sessions (ON DELETE CASCADE)
    await client.query('DELETE FROM sessions; DELETE FROM users; DELETE FROM secrets; DELETE FROM rate_windows');
  } finally {
    await client.end();
  }
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
