import type { MetricPoint, MetricsConfig, MetricSummary, ReportLine } from '../../protocol/types.js';
import { collectPoints, metricParsers, newSeriesState, pointsOf, type KeyedChunk, type OpenSeries, type StreamContexts } from '../metric-series.js';
import { encodePoints } from '../point-chunks.js';
import { summariesOf, toSeriesState, type SeriesStateRow } from '../rows.js';
import type { SeriesJson } from '../../protocol/responses.js';
import { downsampleBlocks, downsampleChunks, summariesWhenAll, type SeriesQuery } from '../downsample.js';
import { encodeBlocks } from '../point-blocks.js';
import type { Db } from './connection.js';
import { preparedOnUse, type LazyDb } from './on-first-use.js';

interface SeriesRow extends SeriesStateRow {
  id: number;
  key: string;
}

/** A series being ingested: its row id with the engine-neutral state and batch. */
interface OpenRow extends OpenSeries {
  id: number;
}

/** The prepared statements of {@link Metrics}. */
const statements = (db: LazyDb) => ({
  series: db.prepare('SELECT id, key, last, min, max, count, last_step FROM metric_series WHERE exec = ?'),
  newSeries: db.prepare('INSERT INTO metric_series (exec, key, count, last_step) VALUES (?, ?, 0, -1) RETURNING id'),
  saveSeries: db.prepare('UPDATE metric_series SET last = @last, min = @min, max = @max, count = @count, last_step = @last_step WHERE id = @id'),
  saveChunk: db.prepare('INSERT INTO metric_chunks (exec, series, last_seq, points) VALUES (?, ?, ?, ?)'),
  saveBlocks: db.prepare('INSERT INTO metric_blocks (chunk, exec, blocks) VALUES (?, ?, ?)'),
  // the chunk ids come from the index (series, id) alone: no point blob is read
  readBlocks: db.prepare(
    'SELECT b.blocks FROM metric_chunks c LEFT JOIN metric_blocks b ON b.chunk = c.id WHERE c.series = (SELECT id FROM metric_series WHERE exec = ? AND key = ?) ORDER BY c.id',
  ),
  readAll: db.prepare(
    'SELECT s.key, c.points FROM metric_chunks c JOIN metric_series s ON s.id = c.series WHERE c.exec = ? AND c.last_seq > ? ORDER BY s.key, c.id',
  ),
  // one key: walk that series' own index (series, id) — no sort, and no blob of the other keys is read
  readKey: db.prepare(
    'SELECT ? AS key, points FROM metric_chunks WHERE series = (SELECT id FROM metric_series WHERE exec = ? AND key = ?) AND last_seq > ? ORDER BY id',
  ),
  summary: db.prepare('SELECT key, last, min, max, count, last_step FROM metric_series WHERE exec = ? ORDER BY key'),
  readContext: db.prepare('SELECT metric_context FROM executions WHERE num = ?').pluck(),
  saveContext: db.prepare('UPDATE executions SET metric_context = ? WHERE num = ?'),
});

/**
 * Metric series (one per execution and key, holding the summary and the step counter) and their
 * points, stored in chunks (see migrations.ts; the blobs of src/store/point-chunks.ts). Parsing and
 * the step and summary rules are src/store/metric-series.ts; this class stores what they produce.
 */
export class Metrics {
  readonly #sql: ReturnType<typeof statements>;
  readonly #parser = metricParsers();

  constructor(db: Db) {
    this.#sql = statements(preparedOnUse(db));
  }

  /**
   * Parses the metrics of new lines (each redraw frame, then the text) and stores the points.
   * A point without a step on its line gets the key's previous step + 1 (0 for the first), so
   * counting continues across batches. What a stream's lines carry to its next ones (a step
   * header, a table's columns) is kept per stream with the execution, so it holds across batches
   * and across the wrapper's and the server's ingest alike. Call inside the ingest transaction.
   */
  ingest(exec: number, config: MetricsConfig, lines: readonly ReportLine[]): void {
    const parse = this.#parser(config);
    const open = new Map<string, OpenRow>();
    let known: Map<string, SeriesRow> | undefined;
    const seriesOf = (key: string): OpenSeries => {
      let s = open.get(key);
      if (s) return s;
      known ??= new Map((this.#sql.series.all(exec) as SeriesRow[]).map((r) => [r.key, r]));
      const row = known.get(key);
      if (row) s = { id: row.id, state: toSeriesState(row), batch: [] };
      else s = { id: (this.#sql.newSeries.get(exec, key) as { id: number }).id, state: newSeriesState(), batch: [] };
      open.set(key, s);
      return s;
    };
    const stored = this.#sql.readContext.get(exec) as string | null;
    const contexts: StreamContexts = stored ? (JSON.parse(stored) as StreamContexts) : {};
    collectPoints(lines, parse, contexts, seriesOf);
    const after = JSON.stringify(contexts);
    if (after !== (stored ?? '{}')) this.#sql.saveContext.run(after, exec);
    for (const { id, state, batch } of open.values()) {
      // the batch holds (step, seq, ts, value) in line order: its last seq is the chunk's highest
      const chunk = this.#sql.saveChunk.run(exec, id, batch[batch.length - 3], encodePoints(batch)).lastInsertRowid;
      const blocks = encodeBlocks(batch);
      if (blocks) this.#sql.saveBlocks.run(chunk, exec, blocks);
      this.#sql.saveSeries.run({ id, last: state.last, min: state.min, max: state.max, count: state.count, last_step: state.lastStep });
    }
  }

  /** Per-key last/min/max/count (see {@link summariesOf}). */
  summary(exec: number): Record<string, MetricSummary> {
    // SQLite keeps NaN as NULL; summaryOf reads null back as NaN
    return summariesOf(this.#sql.summary.all(exec) as SeriesRow[]);
  }

  /**
   * Points in (key, step, seq) order, arrival order among equals (redraw frames of one line).
   * With `afterSeq`, only points of lines with a greater seq (whole chunks before it are not read).
   */
  points(exec: number, key?: string, afterSeq = -1): MetricPoint[] {
    const rows = (key === undefined ? this.#sql.readAll.all(exec, afterSeq) : this.#sql.readKey.all(key, exec, key, afterSeq)) as KeyedChunk[];
    return pointsOf(rows, afterSeq);
  }

  /** The points of one key as a chart reads them: from the chunks' block summaries when they serve (see {@link downsampleBlocks}), else from the points. */
  series(exec: number, key: string, query: SeriesQuery): SeriesJson {
    const summaries = summariesWhenAll((this.#sql.readBlocks.all(exec, key) as { blocks: Buffer | null }[]).map((row) => row.blocks));
    const fromBlocks = summaries && downsampleBlocks(summaries, query);
    if (fromBlocks) return fromBlocks;
    return downsampleChunks(
      (this.#sql.readKey.all(key, exec, key, -1) as KeyedChunk[]).map((row) => row.points),
      query,
    );
  }
}
