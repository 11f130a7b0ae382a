import type { NewOutboxMessage, NotifyRule, NotifyStore, OutboxMessage, Settlement } from '../../notify/store.js';
import { engineSafe, transaction, type Client, type Pool } from './connection.js';
import { outboxValues, toMessage, toRule, type OutboxRow, type RuleRow } from '../notify-rows.js';

const INSERT_MESSAGE = `INSERT INTO notify_outbox (key, rule_id, session_id, kind, state, channel, url, headers, body, created_at, next_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (key) DO NOTHING`;

/**
 * The PostgreSQL {@link NotifyStore} (tables of migration v2). Due messages are claimed with
 * `FOR UPDATE SKIP LOCKED` and leased in the same statement, so instances claiming at once split the
 * due rows and never send one twice; a key is queued once (`ON CONFLICT (key) DO NOTHING`) whichever
 * instance found the event.
 */
export class PostgresNotifyStore implements NotifyStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async addRule(rule: NotifyRule, skipKeys: string[]): Promise<void> {
    await engineSafe(() =>
      transaction(this.#pool, async (db) => {
        await db.query(
          'INSERT INTO notify_rules (id, session_id, execution_id, channel, url, events, stall_after_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [rule.id, rule.sessionId, rule.executionId, rule.channel, rule.url, JSON.stringify(rule.on), rule.stallAfterMs, rule.createdAt],
        );
        for (const key of skipKeys)
          await db.query(INSERT_MESSAGE, [key, rule.id, rule.sessionId, 'skipped', 'skipped', rule.channel, '', '{}', '', rule.createdAt]);
      }),
    );
  }

  async getRule(id: string): Promise<NotifyRule | undefined> {
    const { rows } = await engineSafe(() => this.#pool.query<RuleRow>('SELECT * FROM notify_rules WHERE id = $1', [id]));
    return rows[0] && toRule(rows[0]);
  }

  async listRules(sessionId?: string): Promise<NotifyRule[]> {
    const { rows } = await engineSafe(() =>
      sessionId === undefined
        ? this.#pool.query<RuleRow>('SELECT * FROM notify_rules ORDER BY created_at, num')
        : this.#pool.query<RuleRow>('SELECT * FROM notify_rules WHERE session_id = $1 ORDER BY created_at, num', [sessionId]),
    );
    return rows.map(toRule);
  }

  async removeRule(id: string): Promise<boolean> {
    // the outbox rows go with it (ON DELETE CASCADE)
    const result = await engineSafe(() => this.#pool.query('DELETE FROM notify_rules WHERE id = $1', [id]));
    return (result.rowCount ?? 0) > 0;
  }

  async ruleKeys(ruleId: string): Promise<Set<string>> {
    const { rows } = await engineSafe(() => this.#pool.query<{ key: string }>('SELECT key FROM notify_outbox WHERE rule_id = $1', [ruleId]));
    return new Set(rows.map((r) => r.key));
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    return engineSafe(() =>
      transaction(this.#pool, async (db: Client) => {
        let added = 0;
        for (const m of messages) {
          const result = await db.query(INSERT_MESSAGE, outboxValues(m));
          added += result.rowCount ?? 0;
        }
        return added;
      }),
    );
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    const { rows } = await engineSafe(() =>
      this.#pool.query<OutboxRow>(
        `WITH due AS (
           SELECT id FROM notify_outbox WHERE state = 'pending' AND next_at <= $1 AND lease_until <= $1
           ORDER BY next_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE notify_outbox o SET lease_until = $3 FROM due WHERE o.id = due.id RETURNING o.*`,
        [now, limit, now + leaseMs],
      ),
    );
    return rows.sort((a, b) => a.id - b.id).map(toMessage);
  }

  async settle(id: number, s: Settlement): Promise<void> {
    await engineSafe(() =>
      this.#pool.query(
        `UPDATE notify_outbox SET state = $1, attempts = attempts + 1, next_at = coalesce($2, next_at), lease_until = 0,
         last_status = $3, last_error = $4, done_at = $5 WHERE id = $6`,
        [s.state, s.nextAt ?? null, s.status, s.error, s.state === 'pending' ? null : s.at, id],
      ),
    );
  }

  async deliveryCounts(ruleId: string): Promise<Record<string, number>> {
    const { rows } = await engineSafe(() =>
      this.#pool.query<{ state: string; n: number }>(
        "SELECT state, count(*)::bigint AS n FROM notify_outbox WHERE rule_id = $1 AND state <> 'skipped' GROUP BY state",
        [ruleId],
      ),
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
