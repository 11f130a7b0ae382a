import type { Statement } from 'better-sqlite3';
import { createMetricParser, type MetricParser } from '../../metrics/parse.js';
import type { MetricPoint, MetricsConfig, MetricSummary, ReportLine } from '../../protocol/types.js';
import { BulkInsert } from './bulk-insert.js';
import type { Db } from './connection.js';

interface SeriesRow {
  id: number;
  key: string;
  last: number | null;
  min: number | null;
  max: number | null;
  count: number;
  last_step: number;
}

/** SQLite keeps NaN as NULL; the store reads NULL back as NaN. */
const fromDb = (v: number | null): number => (v === null ? Number.NaN : v);

/**
 * Metric series (one per execution and key, holding the summary and the step counter) and their
 * points. Parsing happens here at ingest, with the one parser of src/metrics.
 */
export class Metrics {
  readonly #series: Statement;
  readonly #newSeries: Statement;
  readonly #saveSeries: Statement;
  readonly #points: BulkInsert;
  readonly #readAll: Statement;
  readonly #readKey: Statement;
  readonly #summary: Statement;
  readonly #parsers = new Map<string, MetricParser>();

  constructor(db: Db) {
    this.#series = db.prepare('SELECT id, key, last, min, max, count, last_step FROM metric_series WHERE exec = ?');
    this.#newSeries = db.prepare('INSERT INTO metric_series (exec, key, count, last_step) VALUES (?, ?, 0, -1) RETURNING id');
    this.#saveSeries = db.prepare('UPDATE metric_series SET last = @last, min = @min, max = @max, count = @count, last_step = @last_step WHERE id = @id');
    this.#points = new BulkInsert(db, 'INSERT INTO metric_points (series, n, step, seq, ts, value) VALUES', 6);
    const select = 'SELECT s.key, p.step, p.value, p.ts, p.seq FROM metric_points p JOIN metric_series s ON s.id = p.series WHERE s.exec = ?';
    this.#readAll = db.prepare(`${select} ORDER BY s.key, p.step, p.seq, p.n`);
    this.#readKey = db.prepare(`${select} AND s.key = ? ORDER BY p.step, p.seq, p.n`);
    this.#summary = db.prepare('SELECT key, last, min, max, count FROM metric_series WHERE exec = ? ORDER BY key');
  }

  /**
   * Parses the metrics of new lines (each redraw frame, then the text) and stores the points.
   * A point without a step on its line gets the key's previous step + 1 (0 for the first), so
   * counting continues across batches. Call inside the ingest transaction.
   */
  ingest(exec: number, config: MetricsConfig, lines: readonly ReportLine[]): void {
    const parse = this.#parser(config);
    const series = new Map((this.#series.all(exec) as SeriesRow[]).map((s) => [s.key, s]));
    const changed = new Set<SeriesRow>();
    const values: unknown[] = [];
    for (const line of lines) {
      for (const text of line.frames ?? []) this.#collect(exec, parse(text), line, series, changed, values);
      this.#collect(exec, parse(line.text), line, series, changed, values);
    }
    this.#points.run(values);
    for (const s of changed) this.#saveSeries.run(s);
  }

  #collect(exec: number, parsed: ReturnType<MetricParser>, line: ReportLine, series: Map<string, SeriesRow>, changed: Set<SeriesRow>, values: unknown[]): void {
    for (const p of parsed) {
      let s = series.get(p.key);
      if (!s) {
        const { id } = this.#newSeries.get(exec, p.key) as { id: number };
        s = { id, key: p.key, last: null, min: null, max: null, count: 0, last_step: -1 };
        series.set(p.key, s);
      }
      const step = p.step ?? s.last_step + 1;
      values.push(s.id, s.count, step, line.seq, line.ts, p.value);
      summarize(s, p.value);
      s.last_step = step;
      changed.add(s);
    }
  }

  #parser(config: MetricsConfig): MetricParser {
    const cacheKey = config.enabled ? (config.pattern ?? '') : '\0off';
    let parse = this.#parsers.get(cacheKey);
    if (!parse) this.#parsers.set(cacheKey, (parse = createMetricParser(config)));
    return parse;
  }

  /** Per-key last/min/max/count; min and max ignore NaN (NaN only when every value was NaN). */
  summary(exec: number): Record<string, MetricSummary> {
    const out: Record<string, MetricSummary> = {};
    for (const r of this.#summary.all(exec) as SeriesRow[]) out[r.key] = { last: fromDb(r.last), min: fromDb(r.min), max: fromDb(r.max), count: r.count };
    return out;
  }

  points(exec: number, key?: string): MetricPoint[] {
    const rows = (key === undefined ? this.#readAll.all(exec) : this.#readKey.all(exec, key)) as (Omit<MetricPoint, 'value'> & { value: number | null })[];
    return rows.map((r) => ({ key: r.key, step: r.step, value: fromDb(r.value), ts: r.ts, seq: r.seq }));
  }
}

function summarize(s: SeriesRow, value: number): void {
  s.count++;
  s.last = value;
  if (Number.isNaN(value)) return;
  s.min = s.min === null || value < s.min ? value : s.min;
  s.max = s.max === null || value > s.max ? value : s.max;
}
