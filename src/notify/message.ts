import type { MessageKind } from '../protocol/notify.js';
import type { Execution, MetricSummary, ReportLine, Session } from '../protocol/types.js';
import { isSystemMetric } from '../protocol/system-metrics.js';
import { formatDuration } from '../report/format.js';

/** How many of an execution's last lines a message carries (issue 15 point 1). */
export const MESSAGE_LINES = 20;

/** Everything a message is rendered from, gathered once when the event is found. Times in ms since epoch UTC. */
export interface MessageFacts {
  /** The event's idempotency key (also the `Idempotency-Key` header). */
  key: string;
  kind: MessageKind;
  at: number;
  /** The page of the run (or of the session for `session-done`). */
  link: string;
  session: Pick<Session, 'id' | 'title'>;
  execution?: Execution;
  /** The last {@link MESSAGE_LINES} stored lines. */
  lines?: ReportLine[];
  metrics?: Record<string, MetricSummary>;
  /** `stalled`: ms since the last line or metric point. */
  silentMs?: number;
  /** `session-done`: executions by final state. */
  counts?: Record<string, number>;
}

/** An HTTP request ready to send: always a POST. */
export interface RenderedMessage {
  headers: Record<string, string>;
  body: string;
}

const ICONS: Record<MessageKind, string> = {
  finished: '✅',
  failed: '❌',
  lost: '💀',
  stalled: '⏸️',
  recovered: '▶️',
  'session-done': '🏁',
};

/** The run's label: its name, else its command (at most 80 characters). */
export function runLabel(e: Execution): string {
  // one line: a multi-line `sh -c` script would break a title's formatting (and is no header value)
  const label = (e.name ?? e.command.join(' ')).replace(/\s+/g, ' ').trim();
  return label.length > 80 ? `${label.slice(0, 79)}…` : label;
}

/** One line saying what happened, without icon: `failed: train.py (exit 1 after 3m 2s)`. */
export function headline(f: MessageFacts): string {
  const e = f.execution;
  if (f.kind === 'session-done') {
    const counts = Object.entries(f.counts ?? {})
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    return `session done: ${f.session.title} (${counts})`;
  }
  if (!e) return `${f.kind}: ${f.session.title}`;
  const took = e.startedAt !== null && e.endedAt !== null ? ` after ${formatDuration(e.endedAt - e.startedAt)}` : '';
  switch (f.kind) {
    case 'finished':
      return `finished: ${runLabel(e)} (Passive${took})`;
    case 'failed':
      return `failed: ${runLabel(e)} (${e.signal ? `killed by ${e.signal}` : `exit ${e.exitCode ?? '?'}`}${took})`;
    case 'lost':
      return `lost: ${runLabel(e)} (Exec crushed: ${e.reason ?? 'unknown'})`;
    case 'stalled':
      return `stalled: ${runLabel(e)} (no output for ${formatDuration(f.silentMs ?? 0)})`;
    case 'recovered':
      return `recovered: ${runLabel(e)} (output again)`;
  }
}

/** {@link headline} with the kind's icon. */
export function titleWithIcon(f: MessageFacts): string {
  return `${ICONS[f.kind]} ${headline(f)}`;
}

/** `loss last 0.12 (min 0.1, max 2.3)` per metric key, at most `max` keys (user metrics before `sys/…`). */
export function metricLines(metrics: Record<string, MetricSummary> | undefined, max = 8): string[] {
  const entries = Object.entries(metrics ?? {}).sort(([a], [b]) => Number(isSystemMetric(a)) - Number(isSystemMetric(b)) || a.localeCompare(b));
  return entries.slice(0, max).map(([key, m]) => `${key} last ${fmt(m.last)} (min ${fmt(m.min)}, max ${fmt(m.max)})`);
}

function fmt(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(6))) : String(n);
}

/**
 * The message text cut to `maxLength` UTF-16 units (or, with `bytes`, UTF-8 bytes): head (the fixed
 * part with the link) is kept whole; the log tail loses its oldest lines first, and a single line
 * that still does not fit keeps its end. Returns head + tail joined.
 */
export function fitText(head: string, tail: string[], maxLength: number, measure: (s: string) => number = (s) => s.length): string {
  const budget = maxLength - measure(head);
  const kept: string[] = [];
  let used = 0;
  for (let i = tail.length - 1; i >= 0; i--) {
    const cost = measure(tail[i]!) + 1;
    if (used + cost > budget) {
      if (kept.length === 0 && budget > 8) kept.unshift(`…${cutEnd(tail[i]!, budget - 2, measure)}`);
      break;
    }
    kept.unshift(tail[i]!);
    used += cost;
  }
  return kept.length > 0 ? `${head}\n${kept.join('\n')}` : head;
}

function cutEnd(text: string, max: number, measure: (s: string) => number): string {
  let out = text.slice(-max);
  while (out.length > 0 && measure(out) > max) out = out.slice(1);
  return out;
}

/** UTF-8 byte length. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The last lines as text (`stderr` lines marked `!`), each cut to its last 300 characters (an error ends a line). */
export function lineTexts(lines: ReportLine[] | undefined): string[] {
  return (lines ?? []).map((l) => `${l.stream === 'stderr' ? '! ' : ''}${lineEnd(l.text, 300)}`);
}

/** `text` when at most `max` UTF-16 units long, else `…` and its last `max - 1` (the end of a line is where an error is). */
export function lineEnd(text: string, max: number): string {
  return text.length > max ? `…${lastChars(text, max - 1)}` : text;
}

/** The last `n` UTF-16 units of `text`, without a half surrogate pair at the start. */
function lastChars(text: string, n: number): string {
  const tail = text.slice(-n);
  const first = tail.charCodeAt(0);
  return first >= 0xdc00 && first <= 0xdfff ? tail.slice(1) : tail;
}
