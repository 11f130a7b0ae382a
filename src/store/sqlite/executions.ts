import type { Statement } from 'better-sqlite3';
import { ExecTrackError } from '../../errors.js';
import type { Execution, ExecutionContext, NewExecution, Outcome } from '../../protocol/types.js';
import { afterContact, type ContactFields } from '../contact.js';
import { executionNotFound } from '../errors.js';
import type { Db } from './connection.js';

interface ExecutionRow {
  num: number;
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
  metrics_enabled: number;
  metrics_pattern: string | null;
  /** JSON of {@link ExecutionContext}. */
  context: string | null;
  peak_rss_bytes: number | null;
  user_cpu_ms: number | null;
  system_cpu_ms: number | null;
}

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
  metrics: r.metrics_pattern === null ? { enabled: r.metrics_enabled === 1 } : { enabled: r.metrics_enabled === 1, pattern: r.metrics_pattern },
  context: r.context === null ? null : (JSON.parse(r.context) as ExecutionContext),
  usage: r.user_cpu_ms === null ? null : { peakRssBytes: r.peak_rss_bytes, userCpuMs: r.user_cpu_ms, systemCpuMs: r.system_cpu_ms ?? 0 },
});


/** The `executions` table: creation, reads and the state rules of DESIGN §2. */
export class Executions {
  readonly #insert: Statement;
  readonly #get: Statement;
  readonly #list: Statement;
  readonly #count: Statement;
  readonly #last: Statement;
  readonly #finish: Statement;
  readonly #contact: Statement;
  readonly #touch: Statement;
  readonly #stale: Statement;
  readonly #lose: Statement;
  readonly #lineQuota: number;

  constructor(db: Db, lineQuota: number) {
    this.#lineQuota = lineQuota;
    this.#insert = db.prepare(
      `INSERT INTO executions (id, session_id, name, command, cwd, host, pid, state, started_at, last_seen_at, received_at, metrics_enabled, metrics_pattern, line_quota, context)
       VALUES (@id, @sessionId, @name, @command, @cwd, @host, @pid, 'Running', @startedAt, @startedAt, @receivedAt, @enabled, @pattern, @lineQuota, @context)`,
    );
    this.#get = db.prepare('SELECT * FROM executions WHERE id = ?');
    this.#list = db.prepare('SELECT * FROM executions WHERE session_id = ? ORDER BY received_at, num');
    this.#count = db.prepare('SELECT count(*) FROM executions WHERE session_id = ?').pluck();
    this.#last = db.prepare(
      `SELECT e.* FROM executions e JOIN sessions s ON s.id = e.session_id
       WHERE s.owner_id IS ? ORDER BY e.received_at DESC, e.num DESC LIMIT 1`,
    );
    this.#finish = db.prepare(
      `UPDATE executions SET state = @state, exit_code = @exitCode, signal = @signal, reason = @reason, ended_at = @endedAt,
       peak_rss_bytes = coalesce(@peakRssBytes, peak_rss_bytes), user_cpu_ms = coalesce(@userCpuMs, user_cpu_ms),
       system_cpu_ms = coalesce(@systemCpuMs, system_cpu_ms),
       last_seen_at = max(coalesce(last_seen_at, 0), @endedAt) WHERE id = @id`,
    );
    this.#contact = db.prepare('SELECT state, reason, ended_at AS endedAt, last_seen_at AS lastSeenAt FROM executions WHERE id = ?');
    this.#touch = db.prepare('UPDATE executions SET state = @state, reason = @reason, ended_at = @endedAt, last_seen_at = @lastSeenAt WHERE id = @id');
    this.#stale = db.prepare(`SELECT id FROM executions WHERE state = 'Running' AND coalesce(last_seen_at, started_at, 0) < ?`);
    this.#lose = db.prepare(
      `UPDATE executions SET state = 'Exec crushed', reason = @reason, ended_at = coalesce(last_seen_at, started_at)
       WHERE id = @id AND state = 'Running' AND coalesce(last_seen_at, started_at, 0) < @cutoff`,
    );
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
        throw new ExecTrackError('CONFLICT', `Execution ${e.id} already exists in another session; create it with a new id.`);
      }
      return existing;
    }
    this.#insert.run({
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
    const row = this.#get.get(id) as ExecutionRow | undefined;
    return row && toExecution(row);
  }

  list(sessionId: string): Execution[] {
    return (this.#list.all(sessionId) as ExecutionRow[]).map(toExecution);
  }

  count(sessionId: string): number {
    return this.#count.get(sessionId) as number;
  }

  last(ownerId: string | null): Execution | undefined {
    const row = this.#last.get(ownerId) as ExecutionRow | undefined;
    return row && toExecution(row);
  }

  /** The wrapper's outcome always wins, also over an earlier `Exec crushed` verdict. */
  finish(id: string, outcome: Outcome): Execution {
    const { usage, ...rest } = outcome;
    const columns = { peakRssBytes: usage?.peakRssBytes ?? null, userCpuMs: usage?.userCpuMs ?? null, systemCpuMs: usage?.systemCpuMs ?? null };
    if (this.#finish.run({ id, ...rest, ...columns }).changes === 0) throw executionNotFound(id);
    return this.get(id)!;
  }

  /** Heartbeat: applies {@link afterContact}. Call inside a write transaction (it reads, then writes). */
  touch(id: string, at: number): void {
    const current = this.#contact.get(id) as ContactFields | undefined;
    if (!current) throw executionNotFound(id);
    this.#touch.run({ id, ...afterContact(current, at) });
  }

  /** `Running` executions not seen since `cutoff` (optionally only `ids`) → `Exec crushed`, ended at their last sign of life. */
  markLost(cutoff: number, reason: string, ids?: string[]): string[] {
    const candidates = ids ?? (this.#stale.all(cutoff) as { id: string }[]).map((r) => r.id);
    return candidates.filter((id) => this.#lose.run({ id, reason, cutoff }).changes > 0);
  }
}
