import type { MetricPoint, MetricsConfig, MetricSummary, ReportLine } from '../../protocol/types.js';
import { collectPoints, metricParsers, newSeriesState, pointsOf, type KeyedChunk, type OpenSeries, type StreamContexts } from '../metric-series.js';
import { encodePoints } from '../point-chunks.js';
import { summariesOf, toSeriesState, type SeriesStateRow } from '../rows.js';
import type { SeriesJson as ChartSeries } from '../../protocol/responses.js';
import { downsampleBlocks, downsampleChunks, summariesWhenAll, type SeriesQuery } from '../downsample.js';
import { encodeBlocks } from '../point-blocks.js';
import type { Queryable } from './executions.js';

/** A series as `json_build_object` gives it: non-finite values come as the strings "NaN", "Infinity", "-Infinity". */
export interface SeriesJson {
  key: string;
  last: number | string | null;
  min: number | string | null;
  max: number | string | null;
  count: number;
  last_step: number;
}

/** The series rows of a `json_agg` (null for none), numbers restored. */
export function seriesRows(json: SeriesJson[] | null): SeriesRow[] {
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  return (json ?? []).map((r) => ({ key: r.key, last: num(r.last), min: num(r.min), max: num(r.max), count: r.count, last_step: r.last_step }));
}

interface SeriesRow extends SeriesStateRow {
  key: string;
}

/**
 * Metric series (one per execution and key: summary and step counter) and their points in chunks
 * (the blobs of src/store/point-chunks.ts), the PostgreSQL twin of src/store/sqlite/metrics.ts;
 * the rules themselves are src/store/metric-series.ts. Keys sort bytewise (`COLLATE "C"`), as on
 * SQLite, whatever the database's collation.
 */
export class Metrics {
  readonly #parser = metricParsers();

  /**
   * Parses the metrics of new lines and stores the points: `series` are the execution's series as
   * read with its locked row; every series the batch touched is upserted in one statement and its
   * points inserted as one chunk each in another (none when no line held a metric). `contexts`
   * (what each stream carries to its next lines) is updated in place; the caller stores it. Call
   * inside the ingest transaction.
   */
  async ingest(db: Queryable, exec: number, config: MetricsConfig, lines: readonly ReportLine[], contexts: StreamContexts, series: SeriesRow[]): Promise<void> {
    const parse = this.#parser(config);
    if (!parse && !lines.some((l) => l.points)) return;
    const known = new Map(series.map((r) => [r.key, r]));
    const open = new Map<string, OpenSeries>();
    const seriesOf = (key: string): OpenSeries => {
      let s = open.get(key);
      if (!s) {
        const row = known.get(key);
        s = { state: row ? toSeriesState(row) : newSeriesState(), batch: [] };
        open.set(key, s);
      }
      return s;
    };
    collectPoints(lines, parse, contexts, seriesOf);
    if (open.size === 0) return;
    const keys = [...open.keys()];
    const states = keys.map((k) => open.get(k)!.state);
    const ids = await db.query<{ id: number; key: string }>(
      `INSERT INTO metric_series (exec, key, last, min, max, count, last_step)
       SELECT $1, * FROM unnest($2::text[], $3::float8[], $4::float8[], $5::float8[], $6::bigint[], $7::bigint[])
       ON CONFLICT (exec, key) DO UPDATE SET last = excluded.last, min = excluded.min, max = excluded.max, count = excluded.count, last_step = excluded.last_step
       RETURNING id, key`,
      [exec, keys, states.map((s) => s.last), states.map((s) => s.min), states.map((s) => s.max), states.map((s) => s.count), states.map((s) => s.lastStep)],
    );
    const idOf = new Map(ids.rows.map((r) => [r.key, r.id]));
    // the batch holds (step, seq, ts, value) in line order: its last seq is the chunk's highest
    const batches = keys.map((k) => open.get(k)!.batch);
    // one chunk per series in a batch: the series tells which chunk each summary belongs to
    await db.query(
      `WITH c AS (INSERT INTO metric_chunks (exec, series, last_seq, points) SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bytea[]) RETURNING id, series)
       INSERT INTO metric_blocks (chunk, blocks) SELECT c.id, b.blocks FROM c JOIN unnest($2::bigint[], $5::bytea[]) AS b (series, blocks) ON b.series = c.series
       WHERE b.blocks IS NOT NULL`,
      [exec, keys.map((k) => idOf.get(k)), batches.map((b) => b[b.length - 3]), batches.map(encodePoints), batches.map(encodeBlocks)],
    );
  }

  /** Per-key last/min/max/count (see {@link summariesOf}). */
  async summary(db: Queryable, exec: number): Promise<Record<string, MetricSummary>> {
    const sql = 'SELECT key, last, min, max, count, last_step FROM metric_series WHERE exec = $1 ORDER BY key COLLATE "C"';
    return summariesOf((await db.query<SeriesRow>(sql, [exec])).rows);
  }

  /** Points in (key, step, seq) order; with `afterSeq`, only points of lines with a greater seq (older chunks are not read). */
  async points(db: Queryable, exec: number, key?: string, afterSeq = -1): Promise<MetricPoint[]> {
    return pointsOf(key === undefined ? await allChunks(db, exec, afterSeq) : await keyChunks(db, exec, key, afterSeq), afterSeq);
  }

  /** The points of one key as a chart reads them: from the chunks' block summaries when they serve (see {@link downsampleBlocks}), else from the points. */
  async series(db: Queryable, exec: number, key: string, query: SeriesQuery): Promise<ChartSeries> {
    const sql = `SELECT b.blocks FROM metric_chunks c LEFT JOIN metric_blocks b ON b.chunk = c.id
      WHERE c.series = (SELECT id FROM metric_series WHERE exec = $1 AND key = $2) ORDER BY c.id`;
    const summaries = summariesWhenAll((await db.query<{ blocks: Buffer | null }>(sql, [exec, key])).rows.map((row) => row.blocks));
    const fromBlocks = summaries && downsampleBlocks(summaries, query);
    if (fromBlocks) return fromBlocks;
    return downsampleChunks(
      (await keyChunks(db, exec, key, -1)).map((row) => row.points),
      query,
    );
  }
}

async function allChunks(db: Queryable, exec: number, afterSeq: number): Promise<KeyedChunk[]> {
  const sql = `SELECT s.key, c.points FROM metric_chunks c JOIN metric_series s ON s.id = c.series
    WHERE c.exec = $1 AND c.last_seq > $2 ORDER BY s.key COLLATE "C", c.id`;
  return (await db.query<KeyedChunk>(sql, [exec, afterSeq])).rows;
}

/** One key: walks that series' own index (series, id), no blob of the other keys is read. */
async function keyChunks(db: Queryable, exec: number, key: string, afterSeq: number): Promise<KeyedChunk[]> {
  const sql = `SELECT $2::text AS key, points FROM metric_chunks
    WHERE series = (SELECT id FROM metric_series WHERE exec = $1 AND key = $2) AND last_seq > $3 ORDER BY id`;
  return (await db.query<KeyedChunk>(sql, [exec, key, afterSeq])).rows;
}
