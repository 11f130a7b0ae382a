import { MAX_TIME_MS } from './messages.js';
import type { ExecutionJson, MetricPointJson, ReportJson, SessionJson } from './responses.js';
import type { Execution, MetricPoint, ReportLine, Session } from './types.js';

export type { ExecutionJson, ReportJson, SessionJson } from './responses.js';

/**
 * ms since epoch → ISO 8601 UTC (`2026-11-30T12:00:01.123Z`). Null stays null, and so becomes a time
 * no Date can hold (outside 0…8.64e15 ms): the API refuses such times, but builds before schema 3
 * stored them, and a read must never fail on a stored row.
 */
export function isoTime(ms: number | null): string | null {
  return ms !== null && isValidTime(ms) ? new Date(ms).toISOString() : null;
}

/**
 * Duration in ms: end − start; for a running execution, `now` − start. Null without a start, and
 * for impossible times (see {@link isoTime}) or an end before the start.
 */
export function durationMs(e: Pick<Execution, 'startedAt' | 'endedAt'>, now = Date.now()): number | null {
  if (e.startedAt === null || !isValidTime(e.startedAt)) return null;
  const end = e.endedAt ?? now;
  return isValidTime(end) && end >= e.startedAt ? end - e.startedAt : null;
}

function isValidTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIME_MS;
}

export function toExecutionJson(e: Execution): ExecutionJson {
  return {
    id: e.id,
    sessionId: e.sessionId,
    name: e.name,
    command: e.command,
    state: e.state,
    exitCode: e.exitCode,
    signal: e.signal,
    reason: e.reason,
    startedAt: isoTime(e.startedAt),
    endedAt: isoTime(e.endedAt),
    durationMs: durationMs(e),
    lineCount: e.lineCount,
    cwd: e.cwd,
    host: e.host,
    context: e.context,
    usage: e.usage,
  };
}

export function toSessionJson(s: Session): SessionJson {
  return { id: s.id, title: s.title, createdAt: isoTime(s.createdAt)! };
}

/** A metric point as the API and the follow socket send it: ISO 8601 `ts`; NaN and ±Infinity become null in JSON. */
export function toPointJson(p: MetricPoint): MetricPointJson {
  return { key: p.key, step: p.step, value: Number.isFinite(p.value) ? p.value : null, ts: isoTime(p.ts), seq: p.seq };
}

export function toReportJson(l: ReportLine): ReportJson {
  return { seq: l.seq, ts: isoTime(l.ts), stream: l.stream, text: l.text, ...lineMarks(l) };
}

/** The marks a report line carries alike when stored and in JSON, each present only when set. */
export interface LineMarks {
  /** The final line of a stream, which had no trailing newline. */
  partial?: true;
  /** The line was cut at the line limit; `byteLength` is its original size in bytes. */
  truncated?: true;
  byteLength?: number;
}

/** The {@link LineMarks} of a stored line or of its JSON form (one rule for both directions). */
export function lineMarks(l: { partial?: boolean | undefined; truncated?: boolean | undefined; byteLength?: number | undefined }): LineMarks {
  const marks: LineMarks = {};
  if (l.partial) marks.partial = true;
  if (l.truncated) {
    marks.truncated = true;
    marks.byteLength = l.byteLength;
  }
  return marks;
}

/**
 * Inverse of {@link toExecutionJson} for the fields a reader needs (used by the remote source). What
 * the API does not show (`pid`, `lastSeenAt`, `receivedAt`, `metrics`) no reader shows either; it gets
 * the neutral values below.
 */
export function fromExecutionJson(j: ExecutionJson): Execution {
  const ms = (s: string | null) => (s === null ? null : Date.parse(s));
  return {
    id: j.id,
    sessionId: j.sessionId,
    name: j.name,
    command: j.command,
    cwd: j.cwd,
    host: j.host,
    pid: null,
    state: j.state,
    exitCode: j.exitCode,
    signal: j.signal,
    reason: j.reason,
    startedAt: ms(j.startedAt),
    endedAt: ms(j.endedAt),
    lastSeenAt: null,
    // the API does not show when the server received it; its start is the nearest a reader has
    receivedAt: ms(j.startedAt) ?? 0,
    lineCount: j.lineCount,
    metrics: { enabled: true },
    context: j.context,
    usage: j.usage,
  };
}
