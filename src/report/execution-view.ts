import { durationMs } from '../protocol/json.js';
import type { Execution, MetricPoint, MetricSummary, ReportLine } from '../protocol/types.js';
import type { Palette } from './colors.js';
import { formatCommand, formatCount, formatDuration, formatLocalTime, formatNumber, formatUsage } from './format.js';
import { sparkline } from './sparkline.js';
import { renderTable, type Column } from './table.js';
import { printable, truncate } from './text-width.js';

/** Widest sparkline in the metrics table (cells). */
const SPARK_WIDTH = 30;

/**
 * The header of the execution view: id and name, command, state in its colour with exit code or
 * signal, reason for the crushed states, start/end in local time, duration, line count. The command
 * and reason are cut with `…` to fit `width` cells (a terminal's width) instead of wrapping.
 */
export function renderExecutionHeader(e: Execution, p: Palette, width = Number.POSITIVE_INFINITY, now = Date.now()): string {
  const outcome = [e.exitCode === null ? null : `exit ${e.exitCode}`, e.signal].filter(Boolean).join(', ');
  const rows: Array<[string, string]> = [
    ['command', truncate(formatCommand(e.command), Math.max(20, width - 11))],
    ['state', `${p.state(e.state)}${outcome ? `  (${outcome})` : ''}`],
  ];
  if (e.reason) rows.push(['reason', truncate(e.reason, Math.max(20, width - 11))]);
  rows.push(['session', e.sessionId]);
  rows.push(['started', formatLocalTime(e.startedAt)]);
  if (e.endedAt !== null) rows.push(['ended', formatLocalTime(e.endedAt)]);
  rows.push(['duration', `${formatDuration(durationMs(e, now))}${e.state === 'Running' ? ' so far' : ''}`]);
  rows.push(['lines', formatCount(e.lineCount)]);
  if (e.usage) rows.push(['usage', `${formatUsage(e.usage)} (user ${formatDuration(e.usage.userCpuMs)}, system ${formatDuration(e.usage.systemCpuMs)})`]);
  if (e.host) rows.push(['host', e.host]);
  const git = e.context?.git;
  if (git) rows.push(['git', `${git.commit.slice(0, 12)}${git.branch ? ` on ${git.branch}` : ''}${git.dirty ? ', dirty' : ''}`]);
  if (e.context) rows.push(['tracker', `exec-track ${e.context.version}`]);
  const title = `${p.bold(`Execution ${e.id}`)}${e.name ? ` ${JSON.stringify(e.name)}` : ''}`;
  return [title, ...rows.map(([k, v]) => `  ${p.dim(k.padEnd(9))}${v}`)].join('\n');
}

/**
 * The metrics table: key, last, min, max, count and a sparkline of the series (points in step
 * order, resampled to the room left). Empty string when there are no metrics.
 */
export function renderMetricsTable(
  metrics: Record<string, MetricSummary>,
  points: readonly MetricPoint[],
  width: number,
  p: Palette,
  header = 'metric',
): string {
  const keys = Object.keys(metrics).sort();
  if (keys.length === 0) return '';
  const series = new Map<string, number[]>();
  for (const point of points) {
    const values = series.get(point.key) ?? [];
    values.push(point.value);
    series.set(point.key, values);
  }
  const cells = keys.map((key) => {
    const s = metrics[key]!;
    return [key, formatNumber(s.last), formatNumber(s.min), formatNumber(s.max), formatCount(s.count)];
  });
  const used = Math.max(...cells.flat().map((c) => c.length)) * 5 + 10;
  const sparkWidth = Math.max(8, Math.min(SPARK_WIDTH, (Number.isFinite(width) ? width : 120) - used));
  const columns: Column[] = [
    { header, priority: 0, maxWidth: 32 },
    { header: 'last', align: 'right', priority: 1 },
    { header: 'min', align: 'right', priority: 3 },
    { header: 'max', align: 'right', priority: 3 },
    { header: 'count', align: 'right', priority: 4 },
    { header: 'trend', priority: 2 },
  ];
  const rows = cells.map((row, i) => [...row, p.chalk.cyan(sparkline(series.get(keys[i]!) ?? [], sparkWidth))]);
  return renderTable(columns, rows, width, p.dim);
}

/** A caption before the log tail: `last 20 of 1,234 lines` or `all 12 lines`. */
export function renderLogCaption(shown: number, total: number, p: Palette): string {
  if (total === 0) return p.dim('no output lines');
  const noun = total === 1 ? 'line' : 'lines';
  const what = shown >= total ? `all ${formatCount(total)} ${noun}` : `last ${formatCount(shown)} of ${formatCount(total)} ${noun}`;
  return p.dim(`── ${what} ──`);
}

/**
 * Report lines for the terminal: a gutter marks stream (`│` stdout, red `!` stderr) and flags
 * (`…` partial line, `✂` truncated), then the text made safe to print (control characters shown as `�`).
 */
export function renderLines(lines: readonly ReportLine[], p: Palette): string {
  return lines
    .map((line) => {
      const mark = line.stream === 'stderr' ? p.err('!') : p.dim('│');
      const flags = `${line.partial ? p.dim(' …') : ''}${line.truncated ? p.dim(` ✂ ${formatCount(line.byteLength ?? 0)} bytes`) : ''}`;
      return `${mark} ${printable(line.text)}${flags}`;
    })
    .join('\n');
}
