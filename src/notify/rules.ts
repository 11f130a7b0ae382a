import { ExecTrackError } from '../errors.js';
import { isId, newId } from '../protocol/ids.js';
import { isoTime } from '../protocol/json.js';
import type { AddNotificationBody, NotificationRuleJson } from '../protocol/notify.js';
import { RUN_EVENTS, SESSION_EVENTS } from './rule-options.js';
import type { Store } from '../store/store.js';
import { DEFAULT_STALL_MS } from './options.js';
import { pastKeys } from './scan.js';
import type { NotifyRule } from './store.js';
import { maskUrl, parseTarget } from './target.js';

/**
 * Adds a rule to a session (engine-neutral: the server's route and the embedded CLI share it). What
 * already ended is marked as seen, so the rule reports only what happens from now on. A rule of one
 * execution may come before the execution itself (a wrapper registers it while its create is still
 * on the way); it only ever reports an execution of its own session.
 * @throws ExecTrackError USAGE for a URL that is no notification URL, an `executionId` that is no execution id, or `session-done` in a rule of one execution.
 */
export async function addRule(store: Store, sessionId: string, body: AddNotificationBody, now: number): Promise<NotifyRule> {
  const target = parseTarget(body.url);
  if (body.executionId !== undefined && !isId('e', body.executionId)) {
    throw new ExecTrackError('USAGE', `${body.executionId} is not an execution id (e_…); give the id of an execution of this session.`);
  }
  if (body.executionId !== undefined && body.on?.includes('session-done')) {
    throw new ExecTrackError(
      'USAGE',
      "A rule of one execution cannot take session-done (an event of the whole session); add it as a session's rule, without executionId.",
    );
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
