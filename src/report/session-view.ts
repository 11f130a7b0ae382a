import { isSystemMetric } from '../protocol/system-metrics.js';
import { durationMs } from '../protocol/json.js';
import { STATES } from '../protocol/states.js';
import type { Execution, MetricSummary } from '../protocol/types.js';
import type { Palette } from './colors.js';
import { countOf, formatCount, formatDuration, formatLocalTime, formatNumber } from './format.js';
import { parseSort, sortBy, type SortValue } from './sort.js';
import type { SessionData } from './source.js';
import { renderTable, type Column } from './table.js';

/** Options of {@link renderSessionView}. */
export interface SessionViewOptions {
  /** Metric columns (`--metric`); empty → the session's most common keys. */
  metrics: string[];
  /** `--sort <column>` or `-<column>`; default: start order. */
  sort?: string;
  /** Terminal width in cells (Infinity when not a TTY: nothing is dropped). */
  width: number;
  palette: Palette;
  /** ms since epoch, for durations of Running executions. */
  now?: number;
}

/** Built-in columns: name, priority (lower stays longer on narrow terminals), value to sort by. */
const BUILTIN: Array<{ name: string; column: Column; sortValue: (e: Execution, now: number) => SortValue }> = [
  { name: 'id', column: { header: 'id', priority: 0 }, sortValue: (e) => e.id },
  { name: 'name', column: { header: 'name', priority: 5, maxWidth: 30 }, sortValue: (e) => e.name },
  { name: 'state', column: { header: 'state', priority: 1 }, sortValue: (e) => STATES.indexOf(e.state) },
  { name: 'started', column: { header: 'started', priority: 6 }, sortValue: (e) => e.startedAt },
  { name: 'duration', column: { header: 'duration', align: 'right', priority: 3 }, sortValue: (e, now) => durationMs(e, now) },
  { name: 'exit', column: { header: 'exit', align: 'right', priority: 4 }, sortValue: (e) => e.exitCode },
  { name: 'lines', column: { header: 'lines', align: 'right', priority: 7 }, sortValue: (e) => e.lineCount },
];

/** Number of default metric columns. */
const DEFAULT_METRICS = 3;

/** The run's own metric keys (not `sys/…`) found in most executions (ties by name), at most {@link DEFAULT_METRICS}. */
export function commonMetricKeys(summaries: Map<string, Record<string, MetricSummary>>): string[] {
  const seen = new Map<string, number>();
  for (const summary of summaries.values()) {
    for (const key of Object.keys(summary)) if (!isSystemMetric(key)) seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.entries()]
    .sort(([ka, a], [kb, b]) => b - a || ka.localeCompare(kb))
    .slice(0, DEFAULT_METRICS)
    .map(([key]) => key);
}

/**
 * The session view: a header line, then one row per execution (id, name, state in its colour,
 * started in local time, duration, exit code, lines, and the last value of each metric column),
 * sorted by any of those columns. A `--sort` metric that is not a column yet becomes one.
 * Throws USAGE for an unknown sort column.
 */
export function renderSessionView(data: SessionData, summaries: Map<string, Record<string, MetricSummary>>, options: SessionViewOptions): string {
  const { palette: p } = options;
  const now = options.now ?? Date.now();
  const metricKeys = options.metrics.length > 0 ? [...options.metrics] : commonMetricKeys(summaries);
  const allKeys = new Set([...summaries.values()].flatMap((s) => Object.keys(s)));
  const builtinNames = BUILTIN.map((b) => b.name);
  const sort = options.sort === undefined ? undefined : parseSort(options.sort, [...builtinNames, ...new Set([...metricKeys, ...allKeys])]);
  if (sort && !builtinNames.includes(sort.column) && !metricKeys.includes(sort.column)) metricKeys.push(sort.column);

  const metricValue = (e: Execution, key: string): number | null => summaries.get(e.id)?.[key]?.last ?? null;
  const builtin = sort && BUILTIN.find((b) => b.name === sort.column);
  const executions = sort
    ? sortBy(data.executions, (e) => (builtin ? builtin.sortValue(e, now) : metricValue(e, sort.column)), sort.descending)
    : data.executions;

  const columns: Column[] = [
    ...BUILTIN.map((b) => b.column),
    ...metricKeys.map((key) => ({ header: key, align: 'right' as const, priority: 2, maxWidth: 24 })),
  ];
  const rows = executions.map((e) => [
    e.id,
    e.name ?? '',
    p.state(e.state),
    formatLocalTime(e.startedAt),
    formatDuration(durationMs(e, now)),
    e.exitCode === null ? (e.signal ?? '-') : String(e.exitCode),
    formatCount(e.lineCount),
    ...metricKeys.map((key) => formatNumber(metricValue(e, key))),
  ]);

  const { session } = data;
  const count = countOf(data.executions.length, 'execution');
  const head = `${p.bold(`Session ${session.id}`)} ${JSON.stringify(session.title)}  ${p.dim(`created ${formatLocalTime(session.createdAt)} · ${count}`)}`;
  if (data.executions.length === 0) return `${head}\nNo executions in this session yet; start one with \`exec-track run -- <command>\`.`;
  return `${head}\n${renderTable(columns, rows, options.width, p.dim)}`;
}
