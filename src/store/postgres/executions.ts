import type pg from 'pg';
import { ExecTrackError } from '../../errors.js';
import type { Execution, ExecutionContext, NewExecution, Outcome } from '../../protocol/types.js';
import { afterContact, type ContactFields } from '../contact.js';
import { executionNotFound } from '../errors.js';
import { ownerIs } from './sessions.js';

/** A pool or one of its connections: anything that runs a query. */
export type Queryable = Pick<pg.Pool, 'query'>;

interface ExecutionRow {
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
  metrics_enabled: boolean;
  metrics_pattern: string | null;
  context: string | null;
  peak_rss_bytes: number | null;
  user_cpu_ms: number | null;
  system_cpu_ms: number | null;
}

const COLUMNS = `id, session_id, name, command, cwd, host, pid, state, exit_code, signal, reason, started_at, ended_at, last_seen_at,
  received_at, line_count, metrics_enabled, metrics_pattern, context, peak_rss_bytes, user_cpu_ms, system_cpu_ms`;

const toExecution = (r: ExecutionRow): Execution => ({
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
  metrics: r.metrics_pattern === null ? { enabled: r.metrics_enabled } : { enabled: r.metrics_enabled, pattern: r.metrics_pattern },
  context: r.context === null ? null : (JSON.parse(r.context) as ExecutionContext),
  usage: r.user_cpu_ms === null ? null : { peakRssBytes: r.peak_rss_bytes, userCpuMs: r.user_cpu_ms, systemCpuMs: r.system_cpu_ms ?? 0 },
});

/** The `executions` table: creation, reads and the state rules of DESIGN §2. */
export const executions = {
  /**
   * Creates a `Running` execution with `lineQuota`; a resend for the same id and session returns the stored one.
   * @throws ExecTrackError `CONFLICT` when the id belongs to another session.
   */
  async create(db: Queryable, e: NewExecution, lineQuota: number): Promise<Execution> {
    await db.query(
      `INSERT INTO executions (id, session_id, name, command, cwd, host, pid, state, started_at, last_seen_at, received_at, metrics_enabled, metrics_pattern, line_quota, context)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'Running', $8, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
      [
        e.id,
        e.sessionId,
        e.name,
        JSON.stringify(e.command),
        e.cwd,
        e.host,
        e.pid,
        e.startedAt,
        e.receivedAt,
        e.metrics.enabled,
        e.metrics.pattern ?? null,
        lineQuota,
        e.context ? JSON.stringify(e.context) : null,
      ],
    );
    const stored = (await executions.get(db, e.id))!;
    if (stored.sessionId !== e.sessionId) {
      throw new ExecTrackError('CONFLICT', `Execution ${e.id} already exists in another session; create it with a new id.`);
    }
    return stored;
  },

  async get(db: Queryable, id: string): Promise<Execution | undefined> {
    const row = (await db.query<ExecutionRow>(`SELECT ${COLUMNS} FROM executions WHERE id = $1`, [id])).rows[0];
    return row && toExecution(row);
  },

  async list(db: Queryable, sessionId: string): Promise<Execution[]> {
    return (await db.query<ExecutionRow>(`SELECT ${COLUMNS} FROM executions WHERE session_id = $1 ORDER BY received_at, num`, [sessionId])).rows.map(
      toExecution,
    );
  },

  async count(db: Queryable, sessionId: string): Promise<number> {
    return (await db.query<{ n: number }>('SELECT count(*) AS n FROM executions WHERE session_id = $1', [sessionId])).rows[0]!.n;
  },

  async last(db: Queryable, ownerId: string | null): Promise<Execution | undefined> {
    const row = (
      await db.query<ExecutionRow>(
        `SELECT ${COLUMNS} FROM executions WHERE session_id IN (SELECT id FROM sessions WHERE ${ownerIs(ownerId)})
         ORDER BY received_at DESC, num DESC LIMIT 1`,
        [ownerId],
      )
    ).rows[0];
    return row && toExecution(row);
  },

  /** The wrapper's outcome always wins, also over an earlier `Exec crushed` verdict. @throws ExecTrackError `NOT_FOUND` */
  async finish(db: Queryable, id: string, outcome: Outcome): Promise<Execution> {
    const { usage } = outcome;
    const result = await db.query(
      `UPDATE executions SET state = $2, exit_code = $3, signal = $4, reason = $5, ended_at = $6,
       peak_rss_bytes = coalesce($7, peak_rss_bytes), user_cpu_ms = coalesce($8, user_cpu_ms), system_cpu_ms = coalesce($9, system_cpu_ms),
       last_seen_at = greatest(coalesce(last_seen_at, 0), $6) WHERE id = $1`,
      [
        id,
        outcome.state,
        outcome.exitCode,
        outcome.signal,
        outcome.reason,
        outcome.endedAt,
        usage?.peakRssBytes ?? null,
        usage?.userCpuMs ?? null,
        usage?.systemCpuMs ?? null,
      ],
    );
    if (result.rowCount === 0) throw executionNotFound(id);
    return (await executions.get(db, id))!;
  },

  /** Heartbeat: applies {@link afterContact} to the row locked `FOR UPDATE`. Call inside a transaction. @throws ExecTrackError `NOT_FOUND` */
  async touch(db: Queryable, id: string, at: number): Promise<void> {
    const current = (
      await db.query<ContactFields>('SELECT state, reason, ended_at AS "endedAt", last_seen_at AS "lastSeenAt" FROM executions WHERE id = $1 FOR UPDATE', [id])
    ).rows[0];
    if (!current) throw executionNotFound(id);
    const next = afterContact(current, at);
    await db.query('UPDATE executions SET state = $2, reason = $3, ended_at = $4, last_seen_at = $5 WHERE id = $1', [
      id,
      next.state,
      next.reason,
      next.endedAt,
      next.lastSeenAt,
    ]);
  },

  /**
   * `Running` executions not seen since `cutoff` (optionally only `ids`) → `Exec crushed`, ended at
   * their last sign of life. Rows are claimed `FOR UPDATE SKIP LOCKED` and the state re-checked, so
   * sweepers on several instances mark each ghost once, and a heartbeat that holds the row wins.
   */
  async markLost(db: Queryable, cutoff: number, reason: string, ids?: string[]): Promise<string[]> {
    const only = ids === undefined ? '' : 'AND id = ANY($3::text[])';
    const rows = (
      await db.query<{ id: string }>(
        `WITH claimed AS (
           SELECT num FROM executions WHERE state = 'Running' AND coalesce(last_seen_at, started_at, 0) < $1 ${only}
           ORDER BY num FOR UPDATE SKIP LOCKED
         ), lost AS (
           UPDATE executions e SET state = 'Exec crushed', reason = $2, ended_at = coalesce(last_seen_at, started_at)
           FROM claimed WHERE e.num = claimed.num AND e.state = 'Running' AND coalesce(e.last_seen_at, e.started_at, 0) < $1
           RETURNING e.id, e.num
         ) SELECT id FROM lost ORDER BY num`,
        ids === undefined ? [cutoff, reason] : [cutoff, reason, ids],
      )
    ).rows;
    return rows.map((r) => r.id);
  },
};
