import { writeTransaction, type Db } from './connection.js';
import { preparedOnUse, type LazyDb } from './on-first-use.js';

/** The prepared statements of {@link Retention}. */
const statements = (db: LazyDb) => ({
  execNums: db.prepare('SELECT num FROM executions WHERE id = ?'),
  sessionExecNums: db.prepare('SELECT num FROM executions WHERE session_id = ?'),
  reports: db.prepare('DELETE FROM report_chunks WHERE exec = ?'),
  points: db.prepare('DELETE FROM metric_chunks WHERE exec = ?'),
  blocks: db.prepare('DELETE FROM metric_blocks WHERE exec = ?'),
  series: db.prepare('DELETE FROM metric_series WHERE exec = ?'),
  execution: db.prepare('DELETE FROM executions WHERE num = ?'),
  session: db.prepare('DELETE FROM sessions WHERE id = ?'),
  // the anchor of src/store/retention.ts: created or last received by the store's clock, never a client time
  oldSessions: db.prepare(
    `SELECT s.id FROM sessions s LEFT JOIN executions e ON e.session_id = s.id
     GROUP BY s.id
     HAVING max(s.created_at, coalesce(max(e.received_at), 0)) < ?
       AND coalesce(sum(e.state = 'Running'), 0) = 0`,
  ),
  idleUsers: db.prepare('DELETE FROM users WHERE last_seen_at < ? AND NOT EXISTS (SELECT 1 FROM sessions WHERE owner_id = users.id)'),
});

/**
 * Deletes sessions and executions with everything under them (reports, metric series and points
 * are deleted here rather than by foreign keys; see migrations.ts), and runs retention.
 */
export class Retention {
  readonly #db: Db;
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: Db) {
    this.#db = db;
    this.#sql = statements(preparedOnUse(db));
  }

  deleteExecution(id: string): boolean {
    const rows = this.#sql.execNums.all(id) as { num: number }[];
    writeTransaction(this.#db, () => rows.forEach((r) => this.#deleteNum(r.num)))();
    return rows.length > 0;
  }

  deleteSession(id: string): boolean {
    return writeTransaction(this.#db, () => {
      for (const r of this.#sql.sessionExecNums.all(id) as { num: number }[]) this.#deleteNum(r.num);
      return this.#sql.session.run(id).changes > 0;
    })();
  }

  /**
   * Retention (DESIGN §6): sessions whose anchor (src/store/retention.ts retentionAnchor) is before
   * `cutoff` and that have no `Running` execution, with everything in them; then users with no
   * session left and not seen since `cutoff`; then gives the freed pages back to the file system.
   */
  purge(cutoff: number): { sessions: number; users: number } {
    const result = writeTransaction(this.#db, () => {
      const old = this.#sql.oldSessions.all(cutoff) as { id: string }[];
      for (const s of old) this.deleteSession(s.id);
      return { sessions: old.length, users: this.#sql.idleUsers.run(cutoff).changes };
    })();
    this.#db.pragma('incremental_vacuum');
    return result;
  }

  #deleteNum(num: number): void {
    this.#sql.reports.run(num);
    this.#sql.points.run(num);
    this.#sql.blocks.run(num);
    this.#sql.series.run(num);
    this.#sql.execution.run(num);
  }
}
