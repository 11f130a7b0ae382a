import type { Execution, MetricPoint, MetricSummary, ReportLine, Session } from '../protocol/types.js';

/** What a `report` target names once resolved. */
export type Target = { kind: 'session'; id: string } | { kind: 'execution'; id: string };

/** A session with its executions, oldest first. */
export interface SessionData {
  session: Session;
  executions: Execution[];
}

/** An execution with the summary of each metric key. */
export interface ExecutionData {
  execution: Execution;
  metrics: Record<string, MetricSummary>;
}

/** Which lines to read: the last `tail` lines, or all of them. */
export type LineSelection = { tail: number } | { all: true };

/**
 * What a follow yields as an execution progresses (the follow socket's frames, DESIGN §6):
 * new lines in seq order, new metric points, and the execution whenever its state may have changed.
 */
export type FollowEvent = { type: 'execution'; execution: Execution } | { type: 'reports'; reports: ReportLine[] } | { type: 'metrics'; points: MetricPoint[] };

/** Lines per page when reading many lines, so memory stays bounded whatever the report's size. */
export const PAGE_SIZE = 5000;

/**
 * The read side of the product (DESIGN §3): the embedded store or a server, behind one interface.
 * Methods throw ExecTrackError NOT_FOUND for unknown ids, NO_RUNS when there is nothing to show,
 * SERVER_UNREACHABLE/SERVER_ERROR from a server.
 */
export interface Source {
  /** Where the data comes from, for messages: `embedded store` or the server URL. */
  readonly label: string;
  /**
   * Resolves a target: `s_…` / `e_…` as given, `last` (the most recently started execution), or
   * undefined (the current session, else the newest one). Throws USAGE for a malformed target,
   * NO_RUNS when there is no session at all.
   */
  resolve(target: string | undefined): Promise<Target>;
  session(id: string): Promise<SessionData>;
  execution(id: string): Promise<ExecutionData>;
  /** Metric summaries of several executions at once (for the session view), by execution id. */
  summaries(executions: Execution[]): Promise<Map<string, Record<string, MetricSummary>>>;
  /** The selected lines in seq order, as pages of at most {@link PAGE_SIZE} lines. */
  reports(id: string, selection: LineSelection): AsyncIterable<ReportLine[]>;
  /** Metric points in (key, step, seq) order; one key or all. */
  points(id: string, key?: string): Promise<MetricPoint[]>;
  /**
   * Live events of an execution from just after line `afterSeq`: lines and points with a greater
   * seq, and the execution on every state change. Ends after the final execution event once the
   * execution is no longer `Running`, or when `signal` aborts.
   */
  follow(id: string, afterSeq: number, signal: AbortSignal): AsyncIterable<FollowEvent>;
  /**
   * The executions of a session as they are created and change: each current one first, then each
   * change (an execution may come again unchanged: callers compare). Ends only when `signal` aborts.
   */
  followSession(id: string, signal: AbortSignal): AsyncIterable<Execution>;
  close(): Promise<void>;
}
