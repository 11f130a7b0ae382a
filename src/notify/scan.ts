import type { MessageKind } from '../protocol/notify.js';
import { FINAL_STATES, type FinalState } from '../protocol/states.js';
import type { Execution } from '../protocol/types.js';
import { isSystemMetric } from '../protocol/system-metrics.js';
import type { Store } from '../store/store.js';
import { render } from './channels/index.js';
import { MESSAGE_LINES, type MessageFacts } from './message.js';
import type { NewOutboxMessage, NotifyRule } from './store.js';

/** What a scan needs besides the store: the time (ms since epoch UTC), the page link of an id, the session-done grace (ms). */
export interface ScanContext {
  store: Store;
  now: number;
  link: (id: string) => string;
  /** `session-done` only once the last execution ended at least this long ago (NotifyOptions.sessionGraceMs). */
  sessionGraceMs: number;
}

/** The event an ended execution is (DESIGN §2 states → issue 15 events). */
export function endEvent(state: FinalState): 'finished' | 'failed' | 'lost' {
  return state === 'Passive' ? 'finished' : state === 'Execution crushed' ? 'failed' : 'lost';
}

/**
 * The outbox keys (one per rule and event, so an event is queued once whoever finds it, however
 * often): `<rule>/<execution>/<finished|failed|lost>`, `<rule>/<execution>/stalled/<lastSeq>` and
 * `…/recovered/<that lastSeq>`, `<rule>/session-done/<executions>/<last end>`.
 */
export const keys = {
  end: (rule: NotifyRule, e: Execution) => `${rule.id}/${e.id}/${endEvent(e.state as FinalState)}`,
  stall: (rule: NotifyRule, e: Execution, kind: 'stalled' | 'recovered', mark: number) => `${rule.id}/${e.id}/${kind}/${mark}`,
  sessionDone: (rule: NotifyRule, executions: Execution[]) =>
    `${rule.id}/session-done/${executions.length}/${Math.max(...executions.map((e) => e.endedAt ?? 0))}`,
};

/**
 * The keys of what already happened when a session rule is added, so it reports only what happens
 * next: every ended execution's end event and, when the session is done, its `session-done`. None
 * for a rule of one execution: it reports that execution's end even if it came first (a fast command).
 */
export function pastKeys(rule: NotifyRule, executions: Execution[]): string[] {
  if (rule.executionId !== null) return [];
  const ended = executions.filter((e) => e.state !== 'Running');
  const out = ended.map((e) => keys.end(rule, e));
  if (ended.length > 0 && ended.length === executions.length) out.push(keys.sessionDone(rule, executions));
  return out;
}

/**
 * Evaluates one rule against the store (issue 15 point 2, docs/notifications.md "Events") and returns
 * the messages to queue: an ended execution's `finished`/`failed`/`lost` (queued `skipped` when the
 * rule does not want it, so it is not evaluated again); `stalled` once a `Running` execution has been
 * silent (no line, no metric point) for the rule's `stallAfterMs`, and `recovered` once output comes
 * again; `session-done` when every execution of the session has ended, the last one at least
 * `sessionGraceMs` ago (one message for a whole sweep, not one per run of a script). Already queued keys are left out; the store ignores a key queued twice anyway.
 */
export async function scanRule(ctx: ScanContext, rule: NotifyRule): Promise<NewOutboxMessage[]> {
  const session = await ctx.store.getSession(rule.sessionId);
  if (!session) return [];
  const executions =
    rule.executionId === null ? await ctx.store.listExecutions(rule.sessionId) : await one(ctx.store, { ...rule, executionId: rule.executionId });
  const queued = await ctx.store.notify.ruleKeys(rule.id);
  const out: NewOutboxMessage[] = [];
  const queue = async (key: string, kind: MessageKind, facts: Partial<MessageFacts>, wanted: boolean) => {
    if (queued.has(key)) return;
    const full: MessageFacts = { key, kind, at: ctx.now, link: ctx.link(facts.execution?.id ?? session.id), session, ...facts };
    const message = wanted ? render(rule.channel, full) : { headers: {}, body: '' };
    out.push({
      key,
      ruleId: rule.id,
      sessionId: session.id,
      kind,
      state: wanted ? 'pending' : 'skipped',
      channel: rule.channel,
      url: rule.url,
      ...message,
      createdAt: ctx.now,
    });
  };
  for (const e of executions) {
    if (e.state !== 'Running') {
      const kind = endEvent(e.state);
      const key = keys.end(rule, e);
      const wanted = rule.on.includes(kind);
      if (queued.has(key)) continue;
      // output that came back just before the end still ends an open stall
      if (rule.on.includes('stalled')) await scanStall(ctx, rule, e, queued, queue);
      await queue(key, kind, wanted ? await details(ctx.store, e) : { execution: e }, wanted);
    } else if (rule.on.includes('stalled')) {
      await scanStall(ctx, rule, e, queued, queue);
    }
  }
  const lastEnd = Math.max(...executions.map((e) => e.endedAt ?? 0));
  const done = executions.length > 0 && executions.every((e) => e.state !== 'Running') && ctx.now - lastEnd >= ctx.sessionGraceMs;
  if (rule.executionId === null && rule.on.includes('session-done') && done) {
    const counts: Record<string, number> = {};
    for (const state of FINAL_STATES) {
      const n = executions.filter((e) => e.state === state).length;
      if (n > 0) counts[state] = n;
    }
    await queue(keys.sessionDone(rule, executions), 'session-done', { counts }, true);
  }
  return out;
}

type Queue = (key: string, kind: MessageKind, facts: Partial<MessageFacts>, wanted: boolean) => Promise<void>;

/**
 * `recovered` for an open stall once output came after it (also when the execution ended since), then,
 * while it runs, `stalled` when silent for the rule's time. A stall is marked by the seq of the last
 * activity before it.
 */
async function scanStall(ctx: ScanContext, rule: NotifyRule, e: Execution, queued: Set<string>, queue: Queue): Promise<void> {
  const activity = await lastActivity(ctx.store, e);
  const prefix = `${rule.id}/${e.id}/`;
  const marks = (kind: string) =>
    new Set([...queued].filter((k) => k.startsWith(`${prefix}${kind}/`)).map((k) => Number(k.slice(prefix.length + kind.length + 1))));
  const stalled = marks('stalled');
  const recovered = marks('recovered');
  let open = [...stalled].filter((m) => !recovered.has(m));
  for (const m of open.filter((mark) => activity.seq > mark)) await queue(keys.stall(rule, e, 'recovered', m), 'recovered', await details(ctx.store, e), true);
  open = open.filter((m) => activity.seq <= m);
  const silentMs = ctx.now - activity.ts;
  if (e.state === 'Running' && open.length === 0 && silentMs >= rule.stallAfterMs && !stalled.has(activity.seq)) {
    await queue(keys.stall(rule, e, 'stalled', activity.seq), 'stalled', { ...(await details(ctx.store, e)), silentMs }, true);
  }
}

/**
 * The newest sign of the command's own progress: its last line or a metric point it sent (seq, and
 * capture time by the wrapper's clock), else its start (seq -1). The wrapper's `sys/…` resource
 * samples do not count: a hung command is still sampled.
 */
async function lastActivity(store: Store, e: Execution): Promise<{ seq: number; ts: number }> {
  const [line] = await store.readReports(e.id, { tail: 1 });
  let latest = line ? { seq: line.seq, ts: line.ts } : { seq: -1, ts: e.startedAt ?? 0 };
  for (const p of await store.metricPoints(e.id, undefined, { afterSeq: latest.seq })) {
    if (!isSystemMetric(p.key) && p.seq > latest.seq) latest = { seq: p.seq, ts: p.ts };
  }
  return latest;
}

async function details(store: Store, e: Execution): Promise<Partial<MessageFacts>> {
  const [lines, metrics] = await Promise.all([store.readReports(e.id, { tail: MESSAGE_LINES }), store.metricSummary(e.id)]);
  return { execution: e, lines, metrics };
}

/** The rule's execution, if it exists and is in the rule's session (a rule never reports another session's execution). */
async function one(store: Store, rule: NotifyRule & { executionId: string }): Promise<Execution[]> {
  const e = await store.getExecution(rule.executionId);
  return e?.sessionId === rule.sessionId ? [e] : [];
}
