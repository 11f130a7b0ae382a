import { isoTime } from '../../protocol/json.js';
import { PAYLOAD_VERSION, type WebhookPayload } from '../../protocol/notify.js';
import type { Execution } from '../../protocol/types.js';
import { headline, lineEnd, type MessageFacts, type RenderedMessage } from '../message.js';

/** The longest line text a payload carries (UTF-16 units): 20 such lines keep a payload near 100 KB at most. */
export const WEBHOOK_LINE_CHARS = 2000;

/**
 * The generic webhook: a JSON POST of {@link WebhookPayload} version {@link PAYLOAD_VERSION}
 * (docs/notifications.md "Payload"). The lines are the last 20 as stored, each cut to its last
 * {@link WEBHOOK_LINE_CHARS} characters, so the body stays within common receivers' limits (1 MB).
 */
export function renderWebhook(f: MessageFacts): RenderedMessage {
  const payload: WebhookPayload = {
    version: PAYLOAD_VERSION,
    id: f.key,
    event: f.kind,
    title: headline(f),
    at: isoTime(f.at) ?? '',
    url: f.link,
    session: { id: f.session.id, title: f.session.title },
    ...(f.execution ? { execution: summary(f.execution) } : {}),
    ...(f.lines ? { lines: f.lines.map((l) => ({ stream: l.stream, text: lineEnd(l.text, WEBHOOK_LINE_CHARS) })) } : {}),
    ...(f.metrics ? { metrics: metrics(f) } : {}),
    ...(f.silentMs !== undefined ? { silentMs: f.silentMs } : {}),
    ...(f.counts ? { counts: f.counts } : {}),
  };
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) };
}

function summary(e: Execution): NonNullable<WebhookPayload['execution']> {
  return {
    id: e.id,
    sessionId: e.sessionId,
    name: e.name,
    command: e.command,
    host: e.host,
    state: e.state,
    exitCode: e.exitCode,
    signal: e.signal,
    reason: e.reason,
    startedAt: e.startedAt === null ? null : isoTime(e.startedAt),
    endedAt: e.endedAt === null ? null : isoTime(e.endedAt),
    durationMs: e.startedAt !== null && e.endedAt !== null ? e.endedAt - e.startedAt : null,
  };
}

// JSON has no NaN/Infinity: those become null
function metrics(f: MessageFacts): NonNullable<WebhookPayload['metrics']> {
  const finite = (n: number) => (Number.isFinite(n) ? n : null);
  return Object.fromEntries(
    Object.entries(f.metrics ?? {}).map(([k, m]) => [k, { last: finite(m.last), min: finite(m.min), max: finite(m.max), count: m.count }]),
  );
}
