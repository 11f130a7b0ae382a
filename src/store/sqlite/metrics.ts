import type { Statement } from 'better-sqlite3';
import { createMetricParser, type MetricParser, type ParsedMetric, type StreamContext } from '../../metrics/parse.js';
import { isSystemMetric } from '../../protocol/system-metrics.js';
import type { ExplicitPoint, MetricPoint, MetricsConfig, MetricSummary, ReportLine } from '../../protocol/types.js';
import type { Db } from './connection.js';
import { decodeColumns, decodePoints, encodePoints } from '../point-chunks.js';
import type { PointColumns } from '../store.js';

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

/** The parsing context of each output stream of an execution (column `executions.metric_context`). */
type Contexts = Partial<Record<ReportLine['stream'], StreamContext>>;

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
  readonly #readContext: Statement;
  readonly #saveContext: Statement;

  constructor(db: Db) {
    this.#series = db.prepare('SELECT id, key, last, min, max, count, last_step FROM metric_series WHERE exec = ?');
    this.#newSeries = db.prepare('INSERT INTO metric_series (exec, key, count, last_step) VALUES (?, ?, 0, -1) RETURNING id');
    this.#saveSeries = db.prepare('UPDATE metric_series SET last = @last, min = @min, max = @max, count = @count, last_step = @last_step WHERE id = @id');
    this.#saveChunk = db.prepare('INSERT INTO metric_chunks (exec, series, last_seq, points) VALUES (?, ?, ?, ?)');
    const select = 'SELECT s.key, c.points FROM metric_chunks c JOIN metric_series s ON s.id = c.series WHERE c.exec = ? AND c.last_seq > ?';
    this.#readAll = db.prepare(`${select} ORDER BY s.key, c.id`);
    // one key: walk that series' own index (series, id) — no sort, and no blob of the other keys is read
    this.#readKey = db.prepare(
      'SELECT ? AS key, points FROM metric_chunks WHERE series = (SELECT id FROM metric_series WHERE exec = ? AND key = ?) AND last_seq > ? ORDER BY id',
    );
    this.#summary = db.prepare('SELECT key, last, min, max, count FROM metric_series WHERE exec = ? ORDER BY key');
    this.#readContext = db.prepare('SELECT metric_context FROM executions WHERE num = ?').pluck();
    this.#saveContext = db.prepare('UPDATE executions SET metric_context = ? WHERE num = ?');
  }

  /**
   * Parses the metrics of new lines (each redraw frame, then the text) and stores the points.
   * A point without a step on its line gets the key's previous step + 1 (0 for the first), so
   * counting continues across batches. What a stream's lines carry to its next ones (a step
   * header, a table's columns) is kept per stream with the execution, so it holds across batches
   * and across the wrapper's and the server's ingest alike. Call inside the ingest transaction.
   */
  ingest(exec: number, config: MetricsConfig, lines: readonly ReportLine[]): void {
    const parse = config.enabled ? this.#parser(config) : undefined;
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
    const stored = this.#readContext.get(exec) as string | null;
    const contexts: Contexts = stored ? (JSON.parse(stored) as Contexts) : {};
    const before = stored ?? '{}';
    for (const line of lines) {
      // points sent directly are stored even with parsing off: the client asked for them
      if (line.points) for (const p of line.points) collect([{ key: p.key, value: pointValue(p.value), step: p.step }], line.seq, p.ts, seriesOf);
      if (!parse) continue;
      const context = (contexts[line.stream] ??= {});
      // a redraw's points carry the time it was read, when the wrapper sent it (frameTs)
      if (line.frames) line.frames.forEach((text, i) => collect(parsedOnly(parse(text, context)), line.seq, line.frameTs?.[i] ?? line.ts, seriesOf));
      collect(parsedOnly(parse(line.text, context)), line.seq, line.ts, seriesOf);
    }
    const after = JSON.stringify(contexts);
    if (after !== before) this.#saveContext.run(after, exec);
    for (const { row, batch } of open.values()) {
      // the batch holds (step, seq, ts, value) in line order: its last seq is the chunk's highest
      this.#saveChunk.run(exec, row.id, batch[batch.length - 3], encodePoints(batch));
      this.#saveSeries.run(row);
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

  /**
   * Points in (key, step, seq) order, arrival order among equals (redraw frames of one line).
   * With `afterSeq`, only points of lines with a greater seq (whole chunks before it are not read).
   */
  points(exec: number, key?: string, afterSeq = -1): MetricPoint[] {
    const rows = (key === undefined ? this.#readAll.all(exec, afterSeq) : this.#readKey.all(key, exec, key, afterSeq)) as { key: string; points: Buffer }[];
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
  columns(exec: number, key: string): PointColumns {
    const out: PointColumns = { step: [], seq: [], ts: [], value: [] };
    for (const row of this.#readKey.all(key, exec, key, -1) as { points: Buffer }[]) decodeColumns(row.points, out);
    return sortColumns(out);
  }
}

/** The columns of `c` reordered by step then seq (stable), unless they already are. */
function sortColumns(c: PointColumns): PointColumns {
  let ordered = true;
  for (let i = 1; i < c.step.length && ordered; i++) ordered = c.step[i - 1]! < c.step[i]! || (c.step[i - 1] === c.step[i] && c.seq[i - 1]! <= c.seq[i]!);
  if (ordered) return c;
  const order = c.step.map((_, i) => i).sort((a, b) => c.step[a]! - c.step[b]! || c.seq[a]! - c.seq[b]! || a - b);
  return { step: order.map((i) => c.step[i]!), seq: order.map((i) => c.seq[i]!), ts: order.map((i) => c.ts[i]!), value: order.map((i) => c.value[i]!) };
}

function collect(parsed: ParsedMetric[], seq: number, ts: number, seriesOf: (key: string) => OpenSeries): void {
  for (const p of parsed) {
    const s = seriesOf(p.key);
    const step = p.step ?? s.row.last_step + 1;
    s.batch.push(step, seq, ts, p.value);
    summarize(s.row, p.value);
    s.row.last_step = step;
  }
}

/** `sys/…` belongs to the wrapper's resource samples (sent as points): a printed line cannot write into it. */
function parsedOnly(parsed: ParsedMetric[]): ParsedMetric[] {
  return parsed.some((p) => isSystemMetric(p.key)) ? parsed.filter((p) => !isSystemMetric(p.key)) : parsed;
}

/** The number an explicit point's value stands for (JSON carries the non-finite ones as strings). */
function pointValue(value: ExplicitPoint['value']): number {
  return typeof value === 'number' ? value : Number(value);
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
