import type { Execution, NewExecution, Outcome } from '../../protocol/types.js';
import { afterContact, type ContactFields } from '../contact.js';
import { executionInOtherSession, executionNotFound } from '../errors.js';
import { toExecution, type ExecutionRow } from '../rows.js';
import type { Db } from './connection.js';
import { preparedOnUse, type LazyDb } from './on-first-use.js';

/** The prepared statements of {@link Executions}. */
const statements = (db: LazyDb) => ({
  insert: db.prepare(
    `INSERT INTO executions (id, session_id, name, command, cwd, host, pid, state, started_at, last_seen_at, received_at, metrics_enabled, metrics_pattern, line_quota, context)
     VALUES (@id, @sessionId, @name, @command, @cwd, @host, @pid, 'Running', @startedAt, @startedAt, @receivedAt, @enabled, @pattern, @lineQuota, @context)`,
  ),
  get: db.prepare('SELECT * FROM executions WHERE id = ?'),
  list: db.prepare('SELECT * FROM executions WHERE session_id = ? ORDER BY received_at, num'),
  count: db.prepare('SELECT count(*) FROM executions WHERE session_id = ?').pluck(),
  last: db.prepare(
    `SELECT e.* FROM executions e JOIN sessions s ON s.id = e.session_id
     WHERE s.owner_id IS ? ORDER BY e.received_at DESC, e.num DESC LIMIT 1`,
  ),
  finish: db.prepare(
    `UPDATE executions SET state = @state, exit_code = @exitCode, signal = @signal, reason = @reason, ended_at = @endedAt,
     peak_rss_bytes = coalesce(@peakRssBytes, peak_rss_bytes), user_cpu_ms = coalesce(@userCpuMs, user_cpu_ms),
     system_cpu_ms = coalesce(@systemCpuMs, system_cpu_ms),
     last_seen_at = max(coalesce(last_seen_at, 0), @endedAt) WHERE id = @id`,
  ),
  contact: db.prepare('SELECT state, reason, ended_at AS endedAt, last_seen_at AS lastSeenAt FROM executions WHERE id = ?'),
  touch: db.prepare('UPDATE executions SET state = @state, reason = @reason, ended_at = @endedAt, last_seen_at = @lastSeenAt WHERE id = @id'),
  stale: db.prepare(`SELECT id FROM executions WHERE state = 'Running' AND coalesce(last_seen_at, started_at, 0) < ?`),
  lose: db.prepare(
    `UPDATE executions SET state = 'Exec crushed', reason = @reason, ended_at = coalesce(last_seen_at, started_at)
     WHERE id = @id AND state = 'Running' AND coalesce(last_seen_at, started_at, 0) < @cutoff`,
  ),
});

/** The `executions` table: creation, reads and the state rules of DESIGN §2. */
export class Executions {
  readonly #sql: ReturnType<typeof statements>;
  readonly #lineQuota: number;

  constructor(db: Db, lineQuota: number) {
    this.#sql = statements(preparedOnUse(db));
    this.#lineQuota = lineQuota;
  }

  /**
   * Creates a `Running` execution with the store's line quota. A resend for the same id and
   * session returns the stored one.
   * @throws ExecTrackError `CONFLICT` when the id belongs to another session.
   */
  create(e: NewExecution): Execution {
    const existing = this.get(e.id);
    if (existing) {
      if (existing.sessionId !== e.sessionId) {
        throw executionInOtherSession(e.id);
      }
      return existing;
    }
    this.#sql.insert.run({
      ...e,
      command: JSON.stringify(e.command),
      enabled: e.metrics.enabled ? 1 : 0,
      pattern: e.metrics.pattern ?? null,
      lineQuota: this.#lineQuota,
      context: e.context ? JSON.stringify(e.context) : null,
    });
    return this.get(e.id)!;
  }

  get(id: string): Execution | undefined {
    const row = this.#sql.get.get(id) as ExecutionRow | undefined;
    return row && toExecution(row);
  }

  list(sessionId: string): Execution[] {
    return (this.#sql.list.all(sessionId) as ExecutionRow[]).map(toExecution);
  }

  count(sessionId: string): number {
    return this.#sql.count.get(sessionId) as number;
  }

  last(ownerId: string | null): Execution | undefined {
    const row = this.#sql.last.get(ownerId) as ExecutionRow | undefined;
    return row && toExecution(row);
  }

  /** The wrapper's outcome always wins, also over an earlier `Exec crushed` verdict. */
  finish(id: string, outcome: Outcome): Execution {
    const { usage, ...rest } = outcome;
    const columns = { peakRssBytes: usage?.peakRssBytes ?? null, userCpuMs: usage?.userCpuMs ?? null, systemCpuMs: usage?.systemCpuMs ?? null };
    if (this.#sql.finish.run({ id, ...rest, ...columns }).changes === 0) throw executionNotFound(id);
    return this.get(id)!;
  }

  /** Heartbeat: applies {@link afterContact}. Call inside a write transaction (it reads, then writes). */
  touch(id: string, at: number): void {
    const current = this.#sql.contact.get(id) as ContactFields | undefined;
    if (!current) throw executionNotFound(id);
    this.#sql.touch.run({ id, ...afterContact(current, at) });
  }

  /** `Running` executions not seen since `cutoff` (optionally only `ids`) → `Exec crushed`, ended at their last sign of life. */
  markLost(cutoff: number, reason: string, ids?: string[]): string[] {
    const candidates = ids ?? (this.#sql.stale.all(cutoff) as { id: string }[]).map((r) => r.id);
    return candidates.filter((id) => this.#sql.lose.run({ id, reason, cutoff }).changes > 0);
  }
}
