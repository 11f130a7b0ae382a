import type { Execution, ExecutionContext, MetricSummary, Session } from '../protocol/types.js';
import { summaryOf, type SeriesState } from './metric-series.js';
import type { User } from './store.js';

/**
 * The `executions` columns every engine reads back (src/store/sqlite/migrations.ts,
 * src/store/postgres/migrations.ts): times in ms since the epoch, `command` and `context` as JSON text.
 */
export interface ExecutionRow {
  id: string;
  session_id: string;
  name: string | null;
  command: string;
  cwd: string;
  host: string;
  pid: number | null;
  state: Execution['state'];
  exit_code: number | null;
  signal: string | null;
  reason: string | null;
  started_at: number | null;
  ended_at: number | null;
  last_seen_at: number | null;
  received_at: number;
  line_count: number;
  /** `boolean` on PostgreSQL, 0 or 1 on SQLite. */
  metrics_enabled: boolean | number;
  metrics_pattern: string | null;
  /** JSON of {@link ExecutionContext}. */
  context: string | null;
  peak_rss_bytes: number | null;
  user_cpu_ms: number | null;
  system_cpu_ms: number | null;
}

/** The {@link Execution} of a row; `usage` is null until the wrapper reported CPU times. */
export const toExecution = (r: ExecutionRow): Execution => {
  const enabled = r.metrics_enabled === true || r.metrics_enabled === 1;
  return {
    id: r.id,
    sessionId: r.session_id,
    name: r.name,
    command: JSON.parse(r.command) as string[],
    cwd: r.cwd,
    host: r.host,
    pid: r.pid,
    state: r.state,
    exitCode: r.exit_code,
    signal: r.signal,
    reason: r.reason,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    lastSeenAt: r.last_seen_at,
    receivedAt: r.received_at,
    lineCount: r.line_count,
    metrics: r.metrics_pattern === null ? { enabled } : { enabled, pattern: r.metrics_pattern },
    context: r.context === null ? null : (JSON.parse(r.context) as ExecutionContext),
    usage: r.user_cpu_ms === null ? null : { peakRssBytes: r.peak_rss_bytes, userCpuMs: r.user_cpu_ms, systemCpuMs: r.system_cpu_ms ?? 0 },
  };
};

/** The `sessions` columns every engine reads back (`owner_id` null: the embedded owner). */
export interface SessionRow {
  id: string;
  title: string;
  created_at: number;
  owner_id: string | null;
}

/** The {@link Session} of a row. */
export const toSession = (r: SessionRow): Session => ({ id: r.id, title: r.title, createdAt: r.created_at, ownerId: r.owner_id });

/** The `users` columns every engine reads back. */
export interface UserRow {
  id: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number;
}

/** The {@link User} of a row. */
export const toUser = (r: UserRow): User => ({ id: r.id, tokenHash: r.token_hash, createdAt: r.created_at, lastSeenAt: r.last_seen_at });

/** The state columns of a `metric_series` row (null: no value yet, or SQLite's NaN). */
export interface SeriesStateRow {
  last: number | null;
  min: number | null;
  max: number | null;
  count: number;
  last_step: number;
}

/** The {@link SeriesState} of a row. */
export const toSeriesState = (r: SeriesStateRow): SeriesState => ({ last: r.last, min: r.min, max: r.max, count: r.count, lastStep: r.last_step });

/** The summary ({@link summaryOf}) of each series row, by key, in row order (what `Store.metricSummary` answers). */
export function summariesOf(rows: readonly (SeriesStateRow & { key: string })[]): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  for (const r of rows) out[r.key] = summaryOf(toSeriesState(r));
  return out;
}
