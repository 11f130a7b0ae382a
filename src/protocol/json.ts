import { MAX_TIME_MS } from './messages.js';
import type { Execution, ExecutionContext, ReportLine, ResourceUsage, Session } from './types.js';

/** Execution as shown by `report --json` and the REST API (DESIGN §4): ISO 8601 UTC times, ms durations. */
export interface ExecutionJson {
  id: string;
  sessionId: string;
  name: string | null;
  command: string[];
  state: Execution['state'];
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  lineCount: number;
  /** The host the wrapper ran on. */
  host: string;
  /** git commit/branch/dirty and exec-track version (issue 16); null when not recorded. */
  context: ExecutionContext | null;
  /** Peak RSS and CPU time of the command's tree (issue 16); null while running or when not sampled. */
  usage: ResourceUsage | null;
}

/** Session as shown by `report --json` and the REST API (DESIGN §4). */
export interface SessionJson {
  id: string;
  title: string;
  createdAt: string;
}

/** Report line as shown by `report --json` and the REST API (DESIGN §4); `ts` is ISO 8601 UTC (null for an impossible time stored by builds before schema 3). */
export interface ReportJson {
  seq: number;
  ts: string | null;
  stream: ReportLine['stream'];
  text: string;
  partial?: true;
  truncated?: true;
  byteLength?: number;
}

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
    host: e.host,
    context: e.context,
    usage: e.usage,
  };
}

export function toSessionJson(s: Session): SessionJson {
  return { id: s.id, title: s.title, createdAt: isoTime(s.createdAt)! };
}

export function toReportJson(l: ReportLine): ReportJson {
  const out: ReportJson = { seq: l.seq, ts: isoTime(l.ts), stream: l.stream, text: l.text };
  if (l.partial) out.partial = true;
  if (l.truncated) {
    out.truncated = true;
    out.byteLength = l.byteLength;
  }
  return out;
}

/** Inverse of {@link toExecutionJson} for the fields a reader needs (used by the remote source). */
export function fromExecutionJson(j: ExecutionJson): Execution {
  const ms = (s: string | null) => (s === null ? null : Date.parse(s));
  return {
    id: j.id,
    sessionId: j.sessionId,
    name: j.name,
    command: j.command,
    cwd: '',
    host: j.host ?? '',
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
    context: j.context ?? null,
    usage: j.usage ?? null,
  };
}
