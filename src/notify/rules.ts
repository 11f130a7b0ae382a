import { ExecTrackError } from '../errors.js';
import { isId, newId } from '../protocol/ids.js';
import { isoTime } from '../protocol/json.js';
import { NOTIFY_EVENTS, type AddNotificationBody, type NotificationRuleJson, type NotifyEvent } from '../protocol/notify.js';
import type { Store } from '../store/store.js';
import { DEFAULT_STALL_MS } from './options.js';
import { pastKeys } from './scan.js';
import type { NotifyRule } from './store.js';
import { maskUrl, parseTarget } from './target.js';

/** Events of a `run --notify` without `--notify-on`: everything that can happen to one run. */
export const RUN_EVENTS: NotifyEvent[] = ['finished', 'failed', 'lost', 'stalled'];
/** Events of a `notify add` without `--on`: what needs attention, and the end of the whole session. */
export const SESSION_EVENTS: NotifyEvent[] = ['failed', 'lost', 'stalled', 'session-done'];

/**
 * `failed,lost` → events (also `session_done`, spaces, repeats).
 * @throws ExecTrackError USAGE naming `option` for an unknown event or an empty list.
 */
export function parseEvents(text: string, option: string): NotifyEvent[] {
  const names = text.split(',').map((s) => s.trim().replace('_', '-')).filter((s) => s !== '');
  const unknown = names.find((n) => !(NOTIFY_EVENTS as readonly string[]).includes(n));
  if (names.length === 0 || unknown !== undefined) {
    throw new ExecTrackError('USAGE', `${option} expects a comma-separated list of ${NOTIFY_EVENTS.join(', ')}${unknown ? `, got "${unknown}"` : ''}.`);
  }
  return [...new Set(names)] as NotifyEvent[];
}

/**
 * Adds a rule to a session (engine-neutral: the server's route and the embedded CLI share it). What
 * already ended is marked as seen, so the rule reports only what happens from now on. A rule of one
 * execution may come before the execution itself (a wrapper registers it while its create is still
 * on the way); it only ever reports an execution of its own session.
 * @throws ExecTrackError USAGE for a URL that is no notification URL or an `executionId` that is no execution id.
 */
export async function addRule(store: Store, sessionId: string, body: AddNotificationBody, now: number): Promise<NotifyRule> {
  const target = parseTarget(body.url);
  if (body.executionId !== undefined && !isId('e', body.executionId)) {
    throw new ExecTrackError('USAGE', `${body.executionId} is not an execution id (e_…); give the id of an execution of this session.`);
  }
  const executions = await store.listExecutions(sessionId);
  const rule: NotifyRule = {
    id: newId('n'),
    sessionId,
    executionId: body.executionId ?? null,
    channel: target.channel,
    url: target.url,
    on: body.on ?? (body.executionId ? RUN_EVENTS : SESSION_EVENTS),
    stallAfterMs: body.stallAfterMs ?? DEFAULT_STALL_MS,
    createdAt: now,
  };
  await store.notify.addRule(rule, pastKeys(rule, executions));
  return rule;
}

/** A rule as listed and answered: the URL masked ({@link maskUrl}), with its delivery counts. */
export async function ruleJson(store: Store, rule: NotifyRule): Promise<NotificationRuleJson> {
  return {
    id: rule.id,
    sessionId: rule.sessionId,
    executionId: rule.executionId,
    channel: rule.channel,
    url: maskUrl(rule.url),
    on: rule.on,
    stallAfterMs: rule.stallAfterMs,
    createdAt: isoTime(rule.createdAt) ?? '',
    deliveries: await store.notify.deliveryCounts(rule.id),
  };
}
