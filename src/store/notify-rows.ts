import type { NewOutboxMessage, NotifyRule, OutboxMessage } from '../notify/store.js';
import type { Channel } from '../notify/target.js';
import type { NotifyEvent } from '../protocol/notify-events.js';

/*
 * The rows of the notification tables as every engine reads them back (src/store/sqlite/migrations.ts v6,
 * src/store/postgres/migrations.ts v2), and their mapping to the engine-neutral shapes of notify/store.ts.
 * Numbers go through Number(): PostgreSQL returns BIGINT columns as strings.
 */

export interface RuleRow {
  id: string;
  session_id: string;
  execution_id: string | null;
  channel: string;
  url: string;
  events: string;
  stall_after_ms: number;
  created_at: number;
}

export interface OutboxRow {
  id: number;
  key: string;
  rule_id: string;
  session_id: string;
  kind: string;
  channel: string;
  url: string;
  headers: string;
  body: string;
  attempts: number;
  created_at: number;
}

export function toRule(row: RuleRow): NotifyRule {
  return {
    id: row.id,
    sessionId: row.session_id,
    executionId: row.execution_id,
    channel: row.channel as Channel,
    url: row.url,
    on: JSON.parse(row.events) as NotifyEvent[],
    stallAfterMs: Number(row.stall_after_ms),
    createdAt: Number(row.created_at),
  };
}

export function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: Number(row.id),
    key: row.key,
    ruleId: row.rule_id,
    sessionId: row.session_id,
    kind: row.kind as OutboxMessage['kind'],
    state: 'pending',
    channel: row.channel as Channel,
    url: row.url,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: row.body,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
  };
}

/**
 * A new outbox message's INSERT values in column order (`key, rule_id, session_id, kind, state, channel,
 * url, headers, body, created_at`), as every engine binds them; `next_at` starts at `created_at`.
 */
export function outboxValues(m: NewOutboxMessage): Array<string | number> {
  return [m.key, m.ruleId, m.sessionId, m.kind, m.state, m.channel, m.url, JSON.stringify(m.headers), m.body, m.createdAt];
}
