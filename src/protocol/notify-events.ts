/** What a notification rule can subscribe to (issue 15); `stalled` also covers the recovery message of a stall. This file is without zod, so `run` loads it cheaply (B4). */
export const NOTIFY_EVENTS = ['finished', 'failed', 'lost', 'stalled', 'session-done'] as const;

/** One of {@link NOTIFY_EVENTS}. */
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What a message reports: an event, or `recovered` (output again after `stalled`). */
export type MessageKind = NotifyEvent | 'recovered';

/** The shortest `stallAfterMs` a rule takes: 1 s. */
export const MIN_STALL_MS = 1000;
/** The longest `stallAfterMs` a rule takes: 30 days, longer than any run a stall would still matter for. */
export const MAX_STALL_MS = 30 * 86_400_000;
