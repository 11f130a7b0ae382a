import type {
  Execution,
  MetricPoint,
  MetricSummary,
  NewExecution,
  NewMetricPoint,
  Outcome,
  ReportLine,
  Session,
} from '../protocol/types.js';

/** Options for reading report lines. All optional; lines always come in seq order. */
export interface ReadReportsOptions {
  /** Only lines with seq > after. */
  after?: number;
  /** At most this many lines (from the start, or from `after`). */
  limit?: number;
  /** The last `tail` lines instead (ignores `after`/`limit`). */
  tail?: number;
}

/** Result of {@link Store.appendReports}. */
export interface AppendResult {
  /** Highest contiguous seq stored for the execution (-1 when none): resume after it. */
  lastSeq: number;
  /** Lines of this batch that were new (not resends). */
  added: number;
}

/** An anonymous user of the server (DESIGN §6). Only the token's hash is stored. */
export interface User {
  id: string;
  tokenHash: string;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * The storage contract (DESIGN §3). Async so that a networked database can implement it later;
 * the SQLite implementation is synchronous underneath. Times are ms since epoch UTC.
 *
 * Ingest (`appendReports`) is idempotent by (execution, seq): resending a line never stores it
 * twice. It parses metric points from each new line (and its redraw frames) per the execution's
 * {@link MetricsConfig}, and applies the per-execution line quota (keep first half + rolling last half).
 *
 * Methods throw {@link ExecTrackError} `NOT_FOUND` for an unknown execution/session where noted.
 */
export interface Store {
  // sessions
  createSession(session: Session): Promise<Session>;
  getSession(id: string): Promise<Session | undefined>;
  /** Most recently created session with that title for that owner (null = embedded). */
  findSessionByTitle(title: string, ownerId: string | null): Promise<Session | undefined>;
  /** Sessions of an owner (null = embedded), newest first. */
  listSessions(ownerId: string | null): Promise<Session[]>;
  deleteSession(id: string): Promise<boolean>;

  // executions
  /** Creates a `Running` execution. Idempotent for the same id and session (a resend returns the stored one). */
  createExecution(e: NewExecution): Promise<Execution>;
  getExecution(id: string): Promise<Execution | undefined>;
  /** Executions of a session, oldest first. */
  listExecutions(sessionId: string): Promise<Execution[]>;
  /** The most recently started execution of any session of an owner (null = embedded). */
  lastExecution(ownerId: string | null): Promise<Execution | undefined>;
  /** Records the final state. The wrapper's truth wins over a `lost contact` verdict. Throws NOT_FOUND. */
  finishExecution(id: string, outcome: Outcome): Promise<Execution>;
  /** Updates `lastSeenAt` (heartbeat). A `lost contact` execution that reports again goes back to `Running`. */
  touchExecution(id: string, at: number): Promise<void>;
  /** Marks `Running` executions not seen since `cutoff` as `Exec crushed` with `reason`; returns their ids. */
  markLost(cutoff: number, reason: string, ids?: string[]): Promise<string[]>;
  deleteExecution(id: string): Promise<boolean>;

  // reports and metrics
  /** Ingests lines (see class doc). Throws NOT_FOUND. */
  appendReports(executionId: string, lines: ReportLine[]): Promise<AppendResult>;
  /**
   * Stores explicit metric points (a `metrics` frame: resource samples, issue 16), whatever the
   * execution's {@link MetricsConfig}. They count as read from the next line to come (for
   * `metricPoints`' `afterSeq`). A point whose step is not above its series' last step is a resend
   * and skipped; without a step it gets the previous step + 1. Throws NOT_FOUND.
   */
  appendMetrics(executionId: string, points: NewMetricPoint[]): Promise<void>;
  readReports(executionId: string, options?: ReadReportsOptions): Promise<ReportLine[]>;
  metricSummary(executionId: string): Promise<Record<string, MetricSummary>>;
  /**
   * Metric points in (key, step, seq) order; all keys when `key` is omitted; with `afterSeq`, only
   * points read from lines with a greater seq (cheap: what a live follower asks for).
   */
  metricPoints(executionId: string, key?: string, options?: { afterSeq?: number }): Promise<MetricPoint[]>;

  // users and server secrets (server mode)
  createUser(user: User): Promise<void>;
  getUserByTokenHash(tokenHash: string): Promise<User | undefined>;
  touchUser(id: string, at: number): Promise<void>;
  /** A named server secret (e.g. the claim-key HMAC key), created by `create` on first use. */
  getOrCreateSecret(name: string, create: () => string): Promise<string>;

  // retention
  /** Deletes sessions whose last execution started (or, with none, which were created) before `cutoff`, and idle empty users. Returns counts. */
  purge(cutoff: number): Promise<{ sessions: number; users: number }>;

  close(): Promise<void>;
}
