import type { MessageKind, NotifyEvent } from '../protocol/notify.js';
import type { Channel } from './target.js';

/** A notification rule: where to send which events of a session (or of one execution of it). Times ms since epoch UTC. */
export interface NotifyRule {
  /** `n_…`. */
  id: string;
  sessionId: string;
  /** Only this execution (`run --notify`); null: every execution of the session (`notify add`). */
  executionId: string | null;
  channel: Channel;
  /** The full URL, a secret: never listed, logged or reported unmasked. */
  url: string;
  on: NotifyEvent[];
  /** Silence after which a running execution is `stalled`. */
  stallAfterMs: number;
  createdAt: number;
}

/**
 * What becomes of an outbox row: `pending` until sent; `sent`; `failed` (a permanent answer, or given
 * up); `skipped` marks an event a rule was evaluated for but does not want (so it is never evaluated again).
 */
export type OutboxState = 'pending' | 'sent' | 'failed' | 'skipped';

/** A message to queue. `key` is unique: queueing the same key twice keeps the first (deliver once). */
export interface NewOutboxMessage {
  key: string;
  ruleId: string;
  sessionId: string;
  kind: MessageKind;
  state: 'pending' | 'skipped';
  channel: Channel;
  url: string;
  headers: Record<string, string>;
  body: string;
  createdAt: number;
}

/** A claimed message, ready to send. */
export interface OutboxMessage extends NewOutboxMessage {
  id: number;
  /** Attempts made before this one. */
  attempts: number;
}

/** The outcome of one attempt. `nextAt` only for `pending` (the retry time). */
export interface Settlement {
  state: 'pending' | 'sent' | 'failed';
  nextAt?: number;
  /** The HTTP status, null when no answer came. */
  status: number | null;
  /** A short description of a failure (never the URL). */
  error: string | null;
  at: number;
}

/**
 * The store seam of notifications (issue 15): rules and the durable outbox. Engine-neutral rules
 * (what to queue, when to retry) live in src/notify/; each engine implements this. Claiming is
 * atomic across processes and instances: a claimed row is leased and no other claimer gets it
 * until the lease ends (SQLite: one `BEGIN IMMEDIATE` transaction; PostgreSQL: `FOR UPDATE SKIP LOCKED`).
 */
export interface NotifyStore {
  /** Stores a rule; `skipKeys` are queued as `skipped` in the same transaction (events that ended before it). */
  addRule(rule: NotifyRule, skipKeys: string[]): Promise<void>;
  getRule(id: string): Promise<NotifyRule | undefined>;
  /** The rules of a session, oldest first; every rule of the store when `sessionId` is omitted. */
  listRules(sessionId?: string): Promise<NotifyRule[]>;
  /** Deletes a rule and its undelivered messages; false when there was none. */
  removeRule(id: string): Promise<boolean>;
  /** The keys of every message (any state) queued for a rule. */
  ruleKeys(ruleId: string): Promise<Set<string>>;
  /** Queues messages, ignoring keys already queued; returns how many were new. */
  enqueue(messages: NewOutboxMessage[]): Promise<number>;
  /** Leases up to `limit` pending messages due at `now` for `leaseMs` (oldest first); nobody else gets them meanwhile. */
  claim(now: number, limit: number, leaseMs: number): Promise<OutboxMessage[]>;
  /** Records the outcome of an attempt on a claimed message (one more attempt) and ends its lease. */
  settle(id: number, settlement: Settlement): Promise<void>;
  /** Messages of a rule by state (`pending`, `sent`, `failed`; `skipped` is not counted). */
  deliveryCounts(ruleId: string): Promise<Record<string, number>>;
}
