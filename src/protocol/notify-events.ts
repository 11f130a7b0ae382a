/** What a notification rule can subscribe to (issue 15); `stalled` also covers the recovery message of a stall. Without zod, so `run` loads it cheaply. */
export const NOTIFY_EVENTS = ['finished', 'failed', 'lost', 'stalled', 'session-done'] as const;

/** One of {@link NOTIFY_EVENTS}. */
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** What a message reports: an event, or `recovered` (output again after `stalled`). */
export type MessageKind = NotifyEvent | 'recovered';
