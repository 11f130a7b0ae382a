import { parseDuration } from '../config/duration.js';
import { ExecTrackError } from '../errors.js';
import type { AddNotificationBody } from '../protocol/notify.js';
import { MAX_STALL_MS, MIN_STALL_MS, NOTIFY_EVENTS, type NotifyEvent } from '../protocol/notify-events.js';

// what the CLI reads of a rule from its options; light, so `run` loads it at start

/** Where `exec-track ui` serves the embedded store's pages by default: the base of page links without a server. */
export const EMBEDDED_PAGES = 'http://127.0.0.1:8080';

/** Events of a `run --notify` without `--notify-on`: everything that can happen to one run. */
export const RUN_EVENTS: NotifyEvent[] = ['finished', 'failed', 'lost', 'stalled'];
/** Events of a `notify add` without `--on`: what needs attention, and the end of the whole session. */
export const SESSION_EVENTS: NotifyEvent[] = ['failed', 'lost', 'stalled', 'session-done'];

/**
 * `failed,lost` → events (also `session_done`, spaces, repeats).
 * @throws ExecTrackError USAGE naming `option` for an unknown event or an empty list.
 */
export function parseEvents(text: string, option: string, events: readonly NotifyEvent[] = NOTIFY_EVENTS): NotifyEvent[] {
  const names = text
    .split(',')
    .map((s) => s.trim().replace('_', '-'))
    .filter((s) => s !== '');
  const unknown = names.find((n) => !(events as readonly string[]).includes(n));
  if (unknown === 'session-done') {
    throw new ExecTrackError(
      'USAGE',
      `${option} takes the events of one run (${events.join(', ')}); session-done is a session's: use \`exec-track notify add <session> <url> --on session-done\`.`,
    );
  }
  if (names.length === 0 || unknown !== undefined) {
    throw new ExecTrackError('USAGE', `${option} expects a comma-separated list of ${events.join(', ')}${unknown ? `, got "${unknown}"` : ''}.`);
  }
  return [...new Set(names)] as NotifyEvent[];
}

/**
 * The parts of a rule the CLI reads from options; `events` are those the rule may take (a run's own
 * rule: {@link RUN_EVENTS}).
 * @throws ExecTrackError USAGE for a bad `--on` or a `--stall-after` outside 1 s … 30 days (src/protocol/notify.ts).
 */
export function ruleOptions(
  on: string | undefined,
  stallAfter: string | undefined,
  names: { on: string; stallAfter: string },
  events: readonly NotifyEvent[] = NOTIFY_EVENTS,
): Omit<AddNotificationBody, 'url'> {
  const stallAfterMs = stallAfter === undefined ? undefined : parseDuration(stallAfter, names.stallAfter);
  if (stallAfterMs !== undefined && (stallAfterMs < MIN_STALL_MS || stallAfterMs > MAX_STALL_MS)) {
    throw new ExecTrackError('USAGE', `${names.stallAfter} expects a duration from 1s to 30d, got "${stallAfter}".`);
  }
  return { ...(on === undefined ? {} : { on: parseEvents(on, names.on, events) }), ...(stallAfterMs === undefined ? {} : { stallAfterMs }) };
}
