import { createMetricParser, type MetricParser } from '../../metrics/parse.js';
import type { MetricPoint, MetricsConfig, MetricSummary, ReportLine } from '../../protocol/types.js';
import { collectPoints, sortColumns, sortSteps, summaryOf, type OpenSeries, type SeriesState, type StreamContexts } from '../metric-series.js';
import { decodeColumns, decodePoints, encodePoints } from '../point-chunks.js';
import type { PointColumns } from '../store.js';
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

interface SeriesRow {
  key: string;
  last: number | null;
  min: number | null;
  max: number | null;
  count: number;
  last_step: number;
}

const toState = (r: SeriesRow): SeriesState => ({ last: r.last, min: r.min, max: r.max, count: r.count, lastStep: r.last_step });

/**
 * Metric series (one per execution and key: summary and step counter) and their points in chunks
 * (the blobs of src/store/point-chunks.ts), the PostgreSQL twin of src/store/sqlite/metrics.ts;
 * the rules themselves are src/store/metric-series.ts. Keys sort bytewise (`COLLATE "C"`), as on
 * SQLite, whatever the database's collation.
 */
export class Metrics {
  readonly #parsers = new Map<string, MetricParser>();

  /**
   * Parses the metrics of new lines and stores the points: `series` are the execution's series as
   * read with its locked row; every series the batch touched is upserted in one statement and its
   * points inserted as one chunk each in another (none when no line held a metric). `contexts`
   * (what each stream carries to its next lines) is updated in place; the caller stores it. Call
   * inside the ingest transaction.
   */
  async ingest(db: Queryable, exec: number, config: MetricsConfig, lines: readonly ReportLine[], contexts: StreamContexts, series: SeriesRow[]): Promise<void> {
    const parse = config.enabled ? this.#parser(config) : undefined;
    if (!parse && !lines.some((l) => l.points)) return;
    const known = new Map(series.map((r) => [r.key, r]));
    const open = new Map<string, OpenSeries>();
    const seriesOf = (key: string): OpenSeries => {
      let s = open.get(key);
      if (!s) {
        const row = known.get(key);
        s = { state: row ? toState(row) : { last: null, min: null, max: null, count: 0, lastStep: -1 }, batch: [] };
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
    await db.query('INSERT INTO metric_chunks (exec, series, last_seq, points) SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bytea[])', [
      exec,
      keys.map((k) => idOf.get(k)),
      batches.map((b) => b[b.length - 3]),
      batches.map(encodePoints),
    ]);
  }

  #parser(config: MetricsConfig): MetricParser {
    const cacheKey = config.enabled ? (config.pattern ?? '') : '\0off';
    let parse = this.#parsers.get(cacheKey);
    if (!parse) this.#parsers.set(cacheKey, (parse = createMetricParser(config)));
    return parse;
  }

  /** Per-key last/min/max/count (see {@link summaryOf}). */
  async summary(db: Queryable, exec: number): Promise<Record<string, MetricSummary>> {
    const out: Record<string, MetricSummary> = {};
    const rows = (await db.query<SeriesRow>('SELECT key, last, min, max, count, last_step FROM metric_series WHERE exec = $1 ORDER BY key COLLATE "C"', [exec]))
      .rows;
    for (const r of rows) out[r.key] = summaryOf(toState(r));
    return out;
  }

  /** Points in (key, step, seq) order; with `afterSeq`, only points of lines with a greater seq (older chunks are not read). */
  async points(db: Queryable, exec: number, key?: string, afterSeq = -1): Promise<MetricPoint[]> {
    const rows = key === undefined ? await allChunks(db, exec, afterSeq) : await keyChunks(db, exec, key, afterSeq);
    const out: MetricPoint[] = [];
    let from = 0;
    for (let i = 0; i < rows.length; i++) {
      decodePoints(rows[i]!.key, rows[i]!.points, out, afterSeq);
      if (i + 1 === rows.length || rows[i + 1]!.key !== rows[i]!.key) {
        sortSteps(out, from);
        from = out.length;
      }
    }
    return out;
  }

  /** The points of one key as columns in (step, seq) order. */
  async columns(db: Queryable, exec: number, key: string): Promise<PointColumns> {
    const out: PointColumns = { step: [], seq: [], ts: [], value: [] };
    for (const row of await keyChunks(db, exec, key, -1)) decodeColumns(row.points, out);
    return sortColumns(out);
  }
}

interface ChunkRow {
  key: string;
  points: Buffer;
}

async function allChunks(db: Queryable, exec: number, afterSeq: number): Promise<ChunkRow[]> {
  const sql = `SELECT s.key, c.points FROM metric_chunks c JOIN metric_series s ON s.id = c.series
    WHERE c.exec = $1 AND c.last_seq > $2 ORDER BY s.key COLLATE "C", c.id`;
  return (await db.query<ChunkRow>(sql, [exec, afterSeq])).rows;
}

/** One key: walks that series' own index (series, id), no blob of the other keys is read. */
async function keyChunks(db: Queryable, exec: number, key: string, afterSeq: number): Promise<ChunkRow[]> {
  const sql = `SELECT $2::text AS key, points FROM metric_chunks
    WHERE series = (SELECT id FROM metric_series WHERE exec = $1 AND key = $2) AND last_seq > $3 ORDER BY id`;
  return (await db.query<ChunkRow>(sql, [exec, key, afterSeq])).rows;
}
