import Database from 'better-sqlite3';
import pg from 'pg';
import { interleave, progress } from '../lib/context.mjs';
import { startCluster } from '../lib/postgres.mjs';
import { makeRow, skippedRow } from '../lib/stats.mjs';
import { missingNote } from '../lib/tools.mjs';
import { runCat, sqliteImport } from './throughput.mjs';

/** Tables (with their indexes and TOAST) that hold lines, and those that hold metric points. */
const LINE_TABLES = ['report_chunks'];
const POINT_TABLES = ['metric_chunks', 'metric_series'];

/**
 * B3pg: B3 (`run --server -- cat`) with the server on PostgreSQL, against the sqlite3 import of
 * the same file in the same run (issue 13: target ≤ 4×). S1/S2: storage bytes per line and per
 * metric point on PostgreSQL (value) against a SQLite server's file (baseline), from one B3-sized
 * run of the plain and of the metric input on each engine. Skipped, naming the install command,
 * without PostgreSQL or sqlite3.
 */
export async function postgresRows(ctx) {
  const { throughputReps: reps, lines } = ctx.size;
  const what = {
    b3pg: `run --server -- cat, ${lines} lines, server on PostgreSQL`,
    s1: 'storage bytes per line, PostgreSQL vs SQLite',
    s2: 'storage bytes per metric point, PostgreSQL vs SQLite',
  };
  const missing = !ctx.tools.postgres ? 'postgres' : !ctx.tools.sqlite3 ? 'sqlite3' : null;
  if (missing) {
    return [
      skippedRow({ id: 'B3pg', what: what.b3pg, unit: 'ms', note: missingNote(missing) }),
      skippedRow({ id: 'S1', what: what.s1, unit: 'B', note: missingNote(missing) }),
      skippedRow({ id: 'S2', what: what.s2, unit: 'B', note: missingNote(missing) }),
    ];
  }
  const cluster = await startCluster();
  try {
    progress(`B3pg: sqlite3 .import vs run --server -- cat, server on PostgreSQL (${lines} lines), alternating ×${reps}`);
    let plainUrl;
    const [base, b3pg] = await interleave(reps, [
      () => sqliteImport(ctx, ctx.inputs.plain),
      async () => runCat(ctx, ctx.inputs.plain, { postgres: (plainUrl = await cluster.createDatabase()) }),
    ]);
    progress('S1/S2: storage of the plain and the metric input on both engines');
    const metricsUrl = await cluster.createDatabase();
    const pgMetrics = await runCat(ctx, ctx.inputs.metrics, { postgres: metricsUrl, format: 'metrics', metricPoints: lines * 3 });
    const sqlitePlain = await runCat(ctx, ctx.inputs.plain, { server: true });
    const sqliteMetrics = await runCat(ctx, ctx.inputs.metrics, { server: true, format: 'metrics', metricPoints: lines * 3 });
    const error = pgMetrics.error ?? sqlitePlain.error ?? sqliteMetrics.error;
    const points = lines * 3;
    return [
      makeRow({
        id: 'B3pg',
        what: what.b3pg,
        unit: 'ms',
        target: 4.0,
        baselineSamples: base.samples,
        samples: b3pg.samples,
        ok: !base.error && !b3pg.error,
        note: base.error ?? b3pg.error,
      }),
      makeRow({
        id: 'S1',
        what: what.s1,
        unit: 'B',
        target: null,
        baselineSamples: [sqliteBytes(sqlitePlain.db, LINE_TABLES) / lines],
        samples: [(await postgresBytes(plainUrl, LINE_TABLES)) / lines],
        ok: !error,
        note: error,
      }),
      makeRow({
        id: 'S2',
        what: what.s2,
        unit: 'B',
        target: null,
        baselineSamples: [sqliteBytes(sqliteMetrics.db, POINT_TABLES) / points],
        samples: [(await postgresBytes(metricsUrl, POINT_TABLES)) / points],
        ok: !error,
        note: error,
      }),
    ];
  } finally {
    await cluster.stop();
  }
}

/** Bytes of `tables` with their indexes and TOAST (`pg_total_relation_size`). */
async function postgresBytes(url, tables) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM');
    const { rows } = await client.query('SELECT sum(pg_total_relation_size(t))::float8 AS bytes FROM unnest($1::regclass[]) AS t', [tables]);
    return rows[0].bytes;
  } finally {
    await client.end();
  }
}

/** Bytes of the pages of `tables` and their indexes in a SQLite file (`dbstat`). */
function sqliteBytes(path, tables) {
  const db = new Database(path, { readonly: true });
  try {
    const marks = tables.map(() => '?').join(', ');
    return db.prepare(`SELECT sum(pgsize) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN (${marks}))`).get(...tables)
      .bytes;
  } finally {
    db.close();
  }
}
