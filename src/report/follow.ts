import { constants } from 'node:os';
import { durationMs, toExecutionJson, toReportJson } from '../protocol/json.js';
import type { Execution, MetricPoint } from '../protocol/types.js';
import type { Palette } from './colors.js';
import { formatCommand, formatDuration, formatLocalTime, formatNumber } from './format.js';
import { renderExecutionHeader, renderLines } from './execution-view.js';
import { toPointJson } from './json.js';
import type { Output } from './output.js';
import type { LineSelection, Source } from './source.js';

/** Options of the follow views. */
export interface FollowOptions {
  out: Output;
  palette: Palette;
  /** Print one JSON event per line instead of text. */
  json: boolean;
  /** Lines shown before following (`--lines`). */
  lines: LineSelection;
  /** Ends the follow (Ctrl-C); its reason may name the signal (`SIGINT`, `SIGTERM`). */
  signal: AbortSignal;
}

/**
 * The exit code that stands for how an execution ended, so `report --follow` can be chained
 * like the command itself: its exit code; else 128+N for a signal (as shells do); else 0 for
 * `Passive` and 1 for anything else (an `Exec crushed` with no exit code, e.g. lost contact).
 */
export function exitCodeOf(e: Execution): number {
  if (e.exitCode !== null) return e.exitCode;
  const number = e.signal ? constants.signals[e.signal as NodeJS.Signals] : undefined;
  if (number !== undefined) return 128 + number;
  return e.state === 'Passive' ? 0 : 1;
}

/**
 * One line for a state: `Passive after 3m 12s (exit 0)`, coloured. The reason is added only for
 * `Exec crushed`, where the exit code and signal do not tell what happened.
 */
export function outcomeLine(e: Execution, p: Palette, now = Date.now()): string {
  const reason = e.state === 'Exec crushed' ? e.reason : null;
  const detail = [e.exitCode === null ? null : `exit ${e.exitCode}`, e.signal, reason].filter(Boolean).join(', ');
  return `${p.state(e.state)} after ${formatDuration(durationMs(e, now))}${detail ? ` (${detail})` : ''}`;
}

/** Metric updates of one batch, one dim line per source line: `  ↳ loss=0.25 acc=0.91 · step 3`. */
export function renderPointUpdates(points: readonly MetricPoint[], p: Palette): string {
  const bySeq = new Map<number, MetricPoint[]>();
  for (const point of points) bySeq.set(point.seq, [...(bySeq.get(point.seq) ?? []), point]);
  return [...bySeq.values()]
    .map((group) => {
      const values = group.map((pt) => `${pt.key}=${formatNumber(pt.value)}`).join(' ');
      const steps = new Set(group.map((pt) => pt.step));
      return p.dim(`  ↳ ${values}${steps.size === 1 ? ` · step ${group[0]!.step}` : ''}`);
    })
    .join('\n');
}

/**
 * `report --follow <execution>`: the header and the last lines, then lines and metric updates as
 * they arrive, until the execution ends (→ an outcome line and its {@link exitCodeOf}) or `signal`
 * aborts (→ 128 + the signal number given as the abort reason, e.g. `SIGINT` → 130).
 */
export async function followExecution(source: Source, id: string, options: FollowOptions): Promise<number> {
  const { out, palette: p, json } = options;
  const { execution: first } = await source.execution(id);
  let execution = first;
  let lastSeq = -1;
  if (!json) await out.write(`${renderExecutionHeader(first, p, out.columns)}\n`);
  for await (const page of source.reports(id, options.lines)) {
    if (page.length === 0) continue;
    lastSeq = page.at(-1)!.seq;
    await out.write(json ? `${JSON.stringify({ type: 'reports', reports: page.map(toReportJson) })}\n` : `${renderLines(page, p)}\n`);
  }
  for await (const event of source.follow(id, lastSeq, options.signal)) {
    if (event.type === 'reports') {
      await out.write(json ? `${JSON.stringify({ type: 'reports', reports: event.reports.map(toReportJson) })}\n` : `${renderLines(event.reports, p)}\n`);
    } else if (event.type === 'metrics') {
      await out.write(json ? `${JSON.stringify({ type: 'metrics', points: event.points.map(toPointJson) })}\n` : `${renderPointUpdates(event.points, p)}\n`);
    } else {
      if (json) await out.write(`${JSON.stringify({ type: 'execution', execution: toExecutionJson(event.execution) })}\n`);
      execution = event.execution;
    }
  }
  if (options.signal.aborted) return 128 + (constants.signals[options.signal.reason as NodeJS.Signals] ?? constants.signals.SIGINT);
  if (execution.state === 'Running') ({ execution } = await source.execution(id));
  if (!json) await out.write(`${p.dim('──')} ${outcomeLine(execution, p)}\n`);
  return exitCodeOf(execution);
}

/**
 * `report --follow` on a session: one line per execution that starts or changes state (from
 * {@link Source.followSession}), until `signal` aborts (→ 0). Executions already ended are listed once at the start.
 */
export async function followSession(source: Source, id: string, options: FollowOptions): Promise<number> {
  const { out, palette: p, json } = options;
  const known = new Map<string, string>();
  for await (const e of source.followSession(id, options.signal)) {
    const key = `${e.state}|${e.endedAt}`;
    if (known.get(e.id) === key) continue;
    const started = !known.has(e.id);
    known.set(e.id, key);
    if (json) {
      await out.write(`${JSON.stringify({ type: 'execution', execution: toExecutionJson(e) })}\n`);
      continue;
    }
    const what = e.state === 'Running' && started ? `${p.state('Running')} ${formatCommand(e.command)}` : outcomeLine(e, p);
    await out.write(`${p.dim(formatLocalTime(e.endedAt ?? e.startedAt))}  ${e.id}${e.name ? ` ${e.name}` : ''}  ${what}\n`);
  }
  return 0;
}
