import { z } from 'zod';
import { MAX_STALL_MS, MIN_STALL_MS, NOTIFY_EVENTS } from './notify-events.js';

/**
 * Notification shapes (issue 15): the event kinds, the generic webhook payload (versioned), and the
 * bodies and answers of the notification-rule routes. docs/notifications.md documents them.
 */

export { NOTIFY_EVENTS, type MessageKind, type NotifyEvent } from './notify-events.js';
export const notifyEventSchema = z.enum(NOTIFY_EVENTS);

/** The generic webhook payload's version; bumped on any incompatible change. */
export const PAYLOAD_VERSION = 1;

const executionSummarySchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  name: z.string().nullable(),
  command: z.array(z.string()),
  host: z.string(),
  state: z.string(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  reason: z.string().nullable(),
  /** ISO 8601 UTC. */
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});

/** The JSON body of a generic webhook (`Content-Type: application/json`), version {@link PAYLOAD_VERSION}. */
export const webhookPayloadSchema = z.object({
  version: z.literal(PAYLOAD_VERSION),
  /** The event's idempotency key, also sent as the `Idempotency-Key` header. */
  id: z.string(),
  event: z.enum([...NOTIFY_EVENTS, 'recovered']),
  /** One line saying what happened. */
  title: z.string(),
  /** ISO 8601 UTC, when the event was found. */
  at: z.string(),
  /** The page of the run (or of the session for `session-done`). */
  url: z.string(),
  session: z.object({ id: z.string(), title: z.string() }),
  /** Absent for `session-done`. */
  execution: executionSummarySchema.optional(),
  /** The last (at most 20) stored lines of the execution. */
  lines: z.array(z.object({ stream: z.enum(['stdout', 'stderr']), text: z.string() })).optional(),
  /** Per metric key: last, min, max, count. */
  metrics: z.record(z.object({ last: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable(), count: z.number() })).optional(),
  /** `stalled`: ms since the last line or metric point. */
  silentMs: z.number().optional(),
  /** `session-done`: executions by final state. */
  counts: z.record(z.number()).optional(),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** POST /api/v1/sessions/:id/notifications */
export const addNotificationBody = z.object({
  url: z.string().min(1).max(2048),
  on: z.array(notifyEventSchema).min(1).max(NOTIFY_EVENTS.length).optional(),
  /** Silence (ms) after which a running execution is `stalled`. */
  stallAfterMs: z.number().int().min(MIN_STALL_MS).max(MAX_STALL_MS).optional(),
  /** Only this execution of the session (what `run --notify` registers); absent: every execution. */
  executionId: z.string().max(64).optional(),
});
export type AddNotificationBody = z.infer<typeof addNotificationBody>;

/** A rule as listed: the URL only masked. */
export const notificationRuleJson = z.object({
  id: z.string(),
  sessionId: z.string(),
  executionId: z.string().nullable(),
  channel: z.string(),
  /** scheme://host/…last 4 characters. */
  url: z.string(),
  on: z.array(notifyEventSchema),
  stallAfterMs: z.number(),
  createdAt: z.string(),
  /** Delivery counts of its messages by state (pending, sent, failed). */
  deliveries: z.record(z.number()),
});
export type NotificationRuleJson = z.infer<typeof notificationRuleJson>;

/** GET /api/v1/sessions/:id/notifications */
export const notificationListResponse = z.object({ rules: z.array(notificationRuleJson) });
/** POST answers 201 with the rule. */
export const notificationRuleResponse = z.object({ rule: notificationRuleJson });
