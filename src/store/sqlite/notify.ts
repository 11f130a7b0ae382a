import type { NewOutboxMessage, NotifyRule, NotifyStore, OutboxMessage, Settlement } from '../../notify/store.js';
import { writeTransaction, writeWhenFree, type Db } from './connection.js';
import { preparedOnUse, type LazyDb } from './on-first-use.js';
import { outboxValues, toMessage, toRule, type OutboxRow, type RuleRow } from '../notify-rows.js';

/** The prepared statements of {@link SqliteNotifyStore}. */
const statements = (db: LazyDb) => ({
  insertRule: db.prepare(
    'INSERT INTO notify_rules (id, session_id, execution_id, channel, url, events, stall_after_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ),
  insertMessage: db.prepare(
    `INSERT INTO notify_outbox (key, rule_id, session_id, kind, state, channel, url, headers, body, created_at, next_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
  ),
  due: db.prepare("SELECT * FROM notify_outbox WHERE state = 'pending' AND next_at <= ? AND lease_until <= ? ORDER BY next_at, id LIMIT ?"),
  lease: db.prepare('UPDATE notify_outbox SET lease_until = ? WHERE id = ?'),
});

/**
 * The SQLite {@link NotifyStore}: tables `notify_rules` and `notify_outbox` (migration v6). A claim
 * selects and leases due rows in one `BEGIN IMMEDIATE` transaction, so two processes on one file
 * never claim the same row.
 */
export class SqliteNotifyStore implements NotifyStore {
  readonly #db: Db;
  readonly #sql: ReturnType<typeof statements>;
  readonly #addRule: (rule: NotifyRule, skipKeys: string[]) => void;
  readonly #enqueue: (messages: NewOutboxMessage[]) => number;
  readonly #claim: (now: number, limit: number, leaseMs: number) => OutboxMessage[];

  constructor(db: Db) {
    this.#db = db;
    this.#sql = statements(preparedOnUse(db));
    this.#addRule = writeTransaction(db, (rule: NotifyRule, skipKeys: string[]) => {
      this.#sql.insertRule.run(rule.id, rule.sessionId, rule.executionId, rule.channel, rule.url, JSON.stringify(rule.on), rule.stallAfterMs, rule.createdAt);
      for (const key of skipKeys) {
        this.#sql.insertMessage.run(key, rule.id, rule.sessionId, 'skipped', 'skipped', rule.channel, '', '{}', '', rule.createdAt, rule.createdAt);
      }
    });
    this.#enqueue = writeTransaction(db, (messages: NewOutboxMessage[]) => {
      let added = 0;
      for (const m of messages) {
        // next_at: created_at
        added += this.#sql.insertMessage.run(...outboxValues(m), m.createdAt).changes;
      }
      return added;
    });
    this.#claim = writeTransaction(db, (now: number, limit: number, leaseMs: number) => {
      const rows = this.#sql.due.all(now, now, limit) as OutboxRow[];
      for (const row of rows) this.#sql.lease.run(now + leaseMs, row.id);
      return rows.map(toMessage);
    });
  }

  async addRule(rule: NotifyRule, skipKeys: string[]): Promise<void> {
    await writeWhenFree(() => this.#addRule(rule, skipKeys));
  }

  async getRule(id: string): Promise<NotifyRule | undefined> {
    const row = this.#db.prepare('SELECT * FROM notify_rules WHERE id = ?').get(id) as RuleRow | undefined;
    return row && toRule(row);
  }

  async listRules(sessionId?: string): Promise<NotifyRule[]> {
    const rows =
      sessionId === undefined
        ? this.#db.prepare('SELECT * FROM notify_rules ORDER BY created_at, rowid').all()
        : this.#db.prepare('SELECT * FROM notify_rules WHERE session_id = ? ORDER BY created_at, rowid').all(sessionId);
    return (rows as RuleRow[]).map(toRule);
  }

  async removeRule(id: string): Promise<boolean> {
    // the outbox rows go with it (ON DELETE CASCADE)
    return writeWhenFree(() => this.#db.prepare('DELETE FROM notify_rules WHERE id = ?').run(id).changes > 0);
  }

  async ruleKeys(ruleId: string): Promise<Set<string>> {
    const rows = this.#db.prepare('SELECT key FROM notify_outbox WHERE rule_id = ?').pluck().all(ruleId) as string[];
    return new Set(rows);
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    return writeWhenFree(() => this.#enqueue(messages));
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    return writeWhenFree(() => this.#claim(now, limit, leaseMs));
  }

  async settle(id: number, s: Settlement): Promise<void> {
    await writeWhenFree(() =>
      this.#db
        .prepare(
          `UPDATE notify_outbox SET state = ?, attempts = attempts + 1, next_at = coalesce(?, next_at), lease_until = 0,
           last_status = ?, last_error = ?, done_at = ? WHERE id = ?`,
        )
        .run(s.state, s.nextAt ?? null, s.status, s.error, s.state === 'pending' ? null : s.at, id),
    );
  }

  async deliveryCounts(ruleId: string): Promise<Record<string, number>> {
    const rows = this.#db
      .prepare("SELECT state, count(*) AS n FROM notify_outbox WHERE rule_id = ? AND state != 'skipped' GROUP BY state")
      .all(ruleId) as Array<{ state: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }
}
