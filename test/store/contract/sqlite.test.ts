import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SeriesQuery } from '../../../src/store/downsample.js';
import { openStore } from '../../../src/store/open.js';
import { tempHome } from '../../helpers/cli.js';
import { EXEC, freshStore } from '../setup.js';
import { storeContract } from './index.js';
import { storeCurve } from './series.js';

storeContract('SqliteStore', async (lineQuota) => {
  const home = tempHome();
  const path = join(home.dir, 'nested', 'store.db');
  const opened = [await openStore(path, { lineQuota })];
  onTestFinished(async () => {
    for (const store of opened) await store.close();
    home.cleanup();
  });
  return {
    store: opened[0]!,
    reopen: async () => {
      opened.push(await openStore(path, { lineQuota }));
      return opened.at(-1)!;
    },
  };
});

describe('SqliteStore chart summaries (metric_blocks, schema 7)', () => {
  it('reads a whole series from the summaries without a point blob, and the points when a chunk has no summary (stored before schema 7)', async () => {
    const { store, path } = await freshStore();
    await storeCurve(store, 6000, 700);
    const whole: SeriesQuery = { x: 'step', buckets: 20 };
    const before = await store.metricSeries(EXEC, 'loss', whole);
    const db = new Database(path);
    onTestFinished(() => db.close());
    expect(db.prepare('SELECT count(*) FROM metric_blocks').pluck().get()).toBe(db.prepare('SELECT count(*) FROM metric_chunks').pluck().get());
    // empty every point blob (17 bytes: the compact layout of no point): the summaries still answer
    db.prepare('UPDATE metric_chunks SET points = zeroblob(17)').run();
    expect(await store.metricSeries(EXEC, 'loss', whole)).toEqual(before);
    expect(await store.metricSeries(EXEC, 'loss', { ...whole, from: 0 })).toMatchObject({ total: 0 });
    db.prepare('DELETE FROM metric_blocks WHERE chunk = (SELECT min(chunk) FROM metric_blocks)').run();
    expect(await store.metricSeries(EXEC, 'loss', whole)).toMatchObject({ total: 0 });
  });
});
