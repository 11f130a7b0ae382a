import type { Statement } from 'better-sqlite3';
import { createMetricParser, type MetricParser, type ParsedMetric } from '../../metrics/parse.js';
import { isSystemMetric } from '../../protocol/system-metrics.js';
import type { MetricPoint, MetricsConfig, MetricSummary, NewMetricPoint, ReportLine } from '../../protocol/types.js';
import type { Db } from './connection.js';
import { decodePoints, encodePoints } from './point-chunks.js';

interface SeriesRow {
  id: number;
  key: string;
  last: number | null;
  min: number | null;
  max: number | null;
  count: number;
  last_step: number;
}

/** A series being ingested: its row plus the points of this batch (step, seq, ts, value …). */
interface OpenSeries {
  row: SeriesRow;
  batch: number[];
}

/** SQLite keeps NaN as NULL; the store reads NULL back as NaN. */
const fromDb = (v: number | null): number => (v === null ? Number.NaN : v);

/**
 * Metric series (one per execution and key, holding the summary and the step counter) and their
 * points, stored in chunks (see migrations.ts). Parsing happens here at ingest, with the one
 * parser of src/metrics.
 */
export class Metrics {
  readonly #series: Statement;
  readonly #newSeries: Statement;
  readonly #saveSeries: Statement;
  readonly #saveChunk: Statement;
  readonly #readAll: Statement;
  readonly #readKey: Statement;
  readonly #summary: Statement;
  readonly #parsers = new Map<string, MetricParser>();

  constructor(db: Db) {
    this.#series = db.prepare('SELECT id, key, last, min, max, count, last_step FROM metric_series WHERE exec = ?');
    this.#newSeries = db.prepare('INSERT INTO metric_series (exec, key, count, last_step) VALUES (?, ?, 0, -1) RETURNING id');
    this.#saveSeries = db.prepare('UPDATE metric_series SET last = @last, min = @min, max = @max, count = @count, last_step = @last_step WHERE id = @id');
    this.#saveChunk = db.prepare('INSERT INTO metric_chunks (exec, series, last_seq, points) VALUES (?, ?, ?, ?)');
    const select = 'SELECT s.key, c.points FROM metric_chunks c JOIN metric_series s ON s.id = c.series WHERE c.exec = ? AND c.last_seq > ?';
    this.#readAll = db.prepare(`${select} ORDER BY s.key, c.id`);
    this.#readKey = db.prepare(`${select} AND s.key = ? ORDER BY c.id`);
    this.#summary = db.prepare('SELECT key, last, min, max, count FROM metric_series WHERE exec = ? ORDER BY key');
  }

  /**
   * Parses the metrics of new lines (each redraw frame, then the text) and stores the points.
   * A point without a step on its line gets the key's previous step + 1 (0 for the first), so
   * counting continues across batches. Call inside the ingest transaction.
   */
  ingest(exec: number, config: MetricsConfig, lines: readonly ReportLine[]): void {
    const parse = this.#parser(config);
    const { seriesOf, save } = this.#batch(exec);
    for (const line of lines) {
      // a redraw's points carry the time it was read, when the wrapper sent it (frameTs)
      if (line.frames) line.frames.forEach((text, i) => collect(parse(text), line.seq, line.frameTs?.[i] ?? line.ts, seriesOf));
      collect(parse(line.text), line.seq, line.ts, seriesOf);
    }
    save();
  }

  /**
   * Stores explicit points (a `metrics` frame) as if read from line `seq` (the next line to come,
   * so a live follower that has read the lines so far gets them). A point whose step is not above
   * its series' last step is a resend and skipped; without a step it gets the previous step + 1.
   * Call inside a write transaction.
   */
  ingestPoints(exec: number, seq: number, points: readonly NewMetricPoint[]): void {
    const { seriesOf, save } = this.#batch(exec);
    for (const p of points) {
      const s = seriesOf(p.key);
      if (p.step !== undefined && p.step <= s.row.last_step) continue;
      add(s, p.step, seq, p.ts, p.value);
    }
    save();
  }

  /** The series touched by one batch: `seriesOf` finds or creates one, `save` writes their chunks and summaries. */
  #batch(exec: number): { seriesOf: (key: string) => OpenSeries; save: () => void } {
    const open = new Map<string, OpenSeries>();
    let known: Map<string, SeriesRow> | undefined;
    const seriesOf = (key: string): OpenSeries => {
      let s = open.get(key);
      if (s) return s;
      known ??= new Map((this.#series.all(exec) as SeriesRow[]).map((r) => [r.key, r]));
      let row = known.get(key);
      if (!row) {
        const { id } = this.#newSeries.get(exec, key) as { id: number };
        row = { id, key, last: null, min: null, max: null, count: 0, last_step: -1 };
      }
      open.set(key, (s = { row, batch: [] }));
      return s;
    };
    const save = (): void => {
      for (const { row, batch } of open.values()) {
        if (batch.length === 0) continue;
        // the batch holds (step, seq, ts, value) in line order: its last seq is the chunk's highest
        this.#saveChunk.run(exec, row.id, batch[batch.length - 3], encodePoints(batch));
        this.#saveSeries.run(row);
      }
    };
    return { seriesOf, save };
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

  /**
   * Points in (key, step, seq) order, arrival order among equals (redraw frames of one line).
   * With `afterSeq`, only points of lines with a greater seq (whole chunks before it are not read).
   */
  points(exec: number, key?: string, afterSeq = -1): MetricPoint[] {
    const rows = (key === undefined ? this.#readAll.all(exec, afterSeq) : this.#readKey.all(exec, afterSeq, key)) as { key: string; points: Buffer }[];
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
}

function collect(parsed: ParsedMetric[], seq: number, ts: number, seriesOf: (key: string) => OpenSeries): void {
  for (const p of parsed) {
    // `sys/…` belongs to the wrapper's resource samples: a line cannot write into them
    if (!isSystemMetric(p.key)) add(seriesOf(p.key), p.step, seq, ts, p.value);
  }
}

function add(s: OpenSeries, step: number | undefined, seq: number, ts: number, value: number): void {
  const at = step ?? s.row.last_step + 1;
  s.batch.push(at, seq, ts, value);
  summarize(s.row, value);
  s.row.last_step = at;
}

function summarize(s: SeriesRow, value: number): void {
  s.count++;
  s.last = value;
  if (Number.isNaN(value)) return;
  s.min = s.min === null || value < s.min ? value : s.min;
  s.max = s.max === null || value > s.max ? value : s.max;
}

/** Sorts `points[from..]` (one key) by step then seq, stable; skipped when already in order. */
function sortSteps(points: MetricPoint[], from: number): void {
  let ordered = true;
  for (let i = from + 1; i < points.length && ordered; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    ordered = a.step < b.step || (a.step === b.step && a.seq <= b.seq);
  }
  if (ordered) return;
  const sorted = points.slice(from).sort((a, b) => a.step - b.step || a.seq - b.seq);
  for (let i = 0; i < sorted.length; i++) points[from + i] = sorted[i]!;
}
