import { transaction, type Pool } from './connection.js';

/**
 * Retention (DESIGN §6) on PostgreSQL, safe on every instance at once: the sessions whose anchor
 * (src/store/retention.ts retentionAnchor: created, or last received by the store's clock) is
 * before `cutoff` and that hold no `Running` execution are claimed `FOR UPDATE SKIP LOCKED`, so
 * two instances purging together split the work instead of deleting a row twice or waiting on
 * each other; their executions, lines and points go with them (ON DELETE CASCADE). Then users with
 * no session left and not seen since `cutoff`.
 */
export async function purge(pool: Pool, cutoff: number): Promise<{ sessions: number; users: number }> {
  return transaction(pool, async (db) => {
    const old = await db.query<{ id: string }>(
      `SELECT s.id FROM sessions s
       WHERE greatest(s.created_at, coalesce((SELECT max(e.received_at) FROM executions e WHERE e.session_id = s.id), 0)) < $1
         AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.session_id = s.id AND e.state = 'Running')
       FOR UPDATE SKIP LOCKED`,
      [cutoff],
    );
    const ids = old.rows.map((r) => r.id);
    const deleted = ids.length === 0 ? 0 : ((await db.query('DELETE FROM sessions WHERE id = ANY($1::text[])', [ids])).rowCount ?? 0);
    const idle = await db.query(
      `DELETE FROM users WHERE id IN (
         SELECT id FROM users u WHERE last_seen_at < $1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.owner_id = u.id)
         FOR UPDATE SKIP LOCKED)`,
      [cutoff],
    );
    return { sessions: deleted, users: idle.rowCount ?? 0 };
  });
}
