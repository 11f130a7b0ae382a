import { createMetricParser, type MetricParser, type ParsedMetric, type StreamContext } from '../metrics/parse.js';
import { isSystemMetric } from '../protocol/system-metrics.js';
import type { ExplicitPoint, MetricPoint, MetricsConfig, MetricSummary, ReportLine } from '../protocol/types.js';
import { decodeColumnsAt, decodePoints, emptyColumns, pointCount } from './point-chunks.js';
import type { PointColumns } from './store.js';

/**
 * The running state of one metric series (one per execution and key), which any engine keeps
 * with the series: the summary (`last`, `min`, `max` — null until a value that is not NaN — and
 * `count`) and the last step given, so counting continues across batches.
 */
export interface SeriesState {
  last: number | null;
  min: number | null;
  max: number | null;
  count: number;
  /** -1 before the first point. */
  lastStep: number;
}

/** The state of a series before its first point. */
export function newSeriesState(): SeriesState {
  return { last: null, min: null, max: null, count: 0, lastStep: -1 };
}

/** A series during one ingest batch: its state and the batch's points as flat (step, seq, ts, value) quadruples. */
export interface OpenSeries {
  state: SeriesState;
  batch: number[];
}

/** What a stream's lines carry to its next ones while parsing (a step header, a table's columns), per stream. */
export type StreamContexts = Partial<Record<ReportLine['stream'], StreamContext>>;

/**
 * The metric rules of ingest (DESIGN §5), the same for every engine: for each new line in seq
 * order, its explicit points (stored even with parsing off: the client asked for them), then —
 * when `parse` is given — the points of each redraw frame (at its `frameTs`) and of the text,
 * never a `sys/…` key (those belong to the wrapper's resource samples). A point without a step
 * gets the key's previous step + 1 (0 for the first). `contexts` is updated in place; `seriesOf`
 * hands out the open series of a key.
 */
export function collectPoints(
  lines: readonly ReportLine[],
  parse: MetricParser | undefined,
  contexts: StreamContexts,
  seriesOf: (key: string) => OpenSeries,
): void {
  for (const line of lines) {
    if (line.points) for (const p of line.points) collect([{ key: p.key, value: pointValue(p.value), step: p.step }], line.seq, p.ts, seriesOf);
    if (!parse) continue;
    const context = (contexts[line.stream] ??= {});
    if (line.frames) line.frames.forEach((text, i) => collect(parsedOnly(parse(text, context)), line.seq, line.frameTs?.[i] ?? line.ts, seriesOf));
    collect(parsedOnly(parse(line.text, context)), line.seq, line.ts, seriesOf);
  }
}

/**
 * A parser per metrics config, compiled once per pattern and kept (a store holds one): undefined
 * when parsing is off. The parser's rules are src/metrics/parse.ts.
 */
export function metricParsers(): (config: MetricsConfig) => MetricParser | undefined {
  const parsers = new Map<string, MetricParser>();
  return (config) => {
    if (!config.enabled) return undefined;
    const key = config.pattern ?? '';
    let parse = parsers.get(key);
    if (!parse) parsers.set(key, (parse = createMetricParser(config)));
    return parse;
  };
}

/** The {@link MetricSummary} of a series state: NaN for a null (no value yet, or only NaN values). */
export function summaryOf(state: SeriesState): MetricSummary {
  const nan = (v: number | null) => (v === null ? Number.NaN : v);
  return { last: nan(state.last), min: nan(state.min), max: nan(state.max), count: state.count };
}

function collect(parsed: ParsedMetric[], seq: number, ts: number, seriesOf: (key: string) => OpenSeries): void {
  for (const p of parsed) {
    const s = seriesOf(p.key);
    const step = p.step ?? s.state.lastStep + 1;
    s.batch.push(step, seq, ts, p.value);
    summarize(s.state, p.value);
    s.state.lastStep = step;
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

/** min and max ignore NaN. */
function summarize(s: SeriesState, value: number): void {
  s.count++;
  s.last = value;
  if (Number.isNaN(value)) return;
  s.min = s.min === null || value < s.min ? value : s.min;
  s.max = s.max === null || value > s.max ? value : s.max;
}

/** A stored point chunk with the key of its series. */
export interface KeyedChunk {
  key: string;
  /** A blob of src/store/point-chunks.ts. */
  points: Buffer;
}

/**
 * The points of chunks given grouped by key (in key order, each key's chunks in insertion order),
 * keeping those of lines with a seq greater than `afterSeq`: in (key, step, seq) order, arrival
 * order among equals (the redraw frames of one line).
 */
export function pointsOf(rows: readonly KeyedChunk[], afterSeq: number): MetricPoint[] {
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

/** The points of one key's chunks (in insertion order) as columns in (step, seq) order. */
export function columnsOf(rows: readonly { points: Buffer }[]): PointColumns {
  const out = emptyColumns(rows.reduce((n, row) => n + pointCount(row.points), 0));
  let at = 0;
  for (const row of rows) at = decodeColumnsAt(row.points, out, at);
  return sortColumns(out);
}

/** Sorts `points[from..]` (one key) by step then seq, stable: the read order of points; skipped when already in order. */
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

/** The columns of `c` reordered by step then seq (stable), unless they already are. */
function sortColumns(c: PointColumns): PointColumns {
  let ordered = true;
  for (let i = 1; i < c.step.length && ordered; i++) ordered = c.step[i - 1]! < c.step[i]! || (c.step[i - 1] === c.step[i] && c.seq[i - 1]! <= c.seq[i]!);
  if (ordered) return c;
  const order = Array.from(c.step, (_, i) => i).sort((a, b) => c.step[a]! - c.step[b]! || c.seq[a]! - c.seq[b]! || a - b);
  const pick = (column: Float64Array) => Float64Array.from(order, (i) => column[i]!);
  return { step: pick(c.step), seq: pick(c.seq), ts: pick(c.ts), value: pick(c.value) };
}
