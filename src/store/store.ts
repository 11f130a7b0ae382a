import type { Execution, MetricPoint, MetricSummary, NewExecution, Outcome, ReportLine, Session } from '../protocol/types.js';
import type { NotifyStore } from '../notify/store.js';
import type { SeriesJson } from '../protocol/responses.js';
import type { SeriesQuery } from './downsample.js';

/** Options for reading report lines. All optional; lines always come in seq order. */
export interface ReadReportsOptions {
  /** Only lines with seq > after. */
  after?: number;
  /** Only lines with seq < before (the quota marker counts as its own seq). */
  before?: number;
  /** At most this many lines (from the start, or from `after`). */
  limit?: number;
  /** The last `tail` lines instead (ignores `after`/`limit`). */
  tail?: number;
}

/** Options of {@link Store.searchReports}. */
export interface SearchReportsOptions {
  /** Only lines with seq > after (default -1: from the start). */
  after?: number;
  /** Stop after this many hits. */
  limit: number;
  /** Stop once this many ms have passed (checked between chunks); the answer then says how far it got. */
  budgetMs: number;
}

/** Result of {@link Store.searchReports}. */
export interface SearchResult {
  /** Seqs of the stored lines whose text contains the query (case-insensitive), ascending. */
  hits: number[];
  /** The highest seq looked at: continue with `after` = this when `complete` is false. */
  scannedTo: number;
  /** True when every line after `after` was looked at. */
  complete: boolean;
}

/** How far an execution's log reaches, for a reader that addresses lines by position (the web log view). */
export interface LogExtent {
  /** Highest contiguous seq received (-1 when none). */
  lastSeq: number;
  /** The execution's line quota (lines kept; the first ⌊quota/2⌋ and a rolling rest). */
  quota: number;
}

/**
 * The points of one metric series as parallel typed arrays of equal length, in (step, seq) order;
 * times in ms since epoch UTC. Typed, so a million points cost 32 MB and no object each.
 */
export interface PointColumns {
  step: Float64Array;
  seq: Float64Array;
  ts: Float64Array;
  /** May hold NaN and ±Infinity. */
  value: Float64Array;
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
  /** How many sessions an owner (null = embedded) has, without reading them. */
  countSessions(ownerId: string | null): Promise<number>;
  deleteSession(id: string): Promise<boolean>;

  // executions
  /** Creates a `Running` execution. Idempotent for the same id and session (a resend returns the stored one). */
  createExecution(e: NewExecution): Promise<Execution>;
  getExecution(id: string): Promise<Execution | undefined>;
  /** Executions of a session, oldest first. */
  listExecutions(sessionId: string): Promise<Execution[]>;
  /** How many executions a session has (0 for an unknown one), without reading them. */
  countExecutions(sessionId: string): Promise<number>;
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
  /**
   * Lines the stream socket may gather from `lines` frames already queued behind one into a single
   * {@link appendReports} call (src/server/ws/stream.ts); undefined: one call per frame. For an
   * engine whose every call costs round trips to a database server (PostgreSQL, issue 13 B3pg).
   */
  readonly gatherLines?: number;
  /** Ingests lines (see class doc). Throws NOT_FOUND. */
  appendReports(executionId: string, lines: ReportLine[]): Promise<AppendResult>;
  /** Highest contiguous seq stored (-1 when none): where a resuming writer continues. A plain read. Throws NOT_FOUND. */
  lastSeq(executionId: string): Promise<number>;
  /** Throws NOT_FOUND. */
  readReports(executionId: string, options?: ReadReportsOptions): Promise<ReportLine[]>;
  /** Lines whose text contains `query` (case-insensitive), within a time budget. Throws NOT_FOUND. */
  searchReports(executionId: string, query: string, options: SearchReportsOptions): Promise<SearchResult>;
  /** Throws NOT_FOUND. */
  logExtent(executionId: string): Promise<LogExtent>;
  metricSummary(executionId: string): Promise<Record<string, MetricSummary>>;
  /**
   * Metric points in (key, step, seq) order; all keys when `key` is omitted; with `afterSeq`, only
   * points read from lines with a greater seq (cheap: what a live follower asks for).
   */
  metricPoints(executionId: string, key?: string, options?: { afterSeq?: number }): Promise<MetricPoint[]>;
  /**
   * The points of one key as a chart reads them: within a range of step or time, downsampled to
   * min/max buckets (src/store/downsample.ts), as parallel arrays; empty for an unknown key. A
   * million points reduce without an object or a column of the whole series. Throws NOT_FOUND.
   */
  metricSeries(executionId: string, key: string, query: SeriesQuery): Promise<SeriesJson>;

  // users and server secrets (server mode)
  createUser(user: User): Promise<void>;
  getUserByTokenHash(tokenHash: string): Promise<User | undefined>;
  touchUser(id: string, at: number): Promise<void>;
  /** A named server secret (e.g. the claim-key HMAC key), created by `create` on first use. */
  getOrCreateSecret(name: string, create: () => string): Promise<string>;

  // retention
  /** Deletes sessions whose last execution started (or, with none, which were created) before `cutoff`, and idle empty users. Returns counts. */
  purge(cutoff: number): Promise<{ sessions: number; users: number }>;

  /** Notification rules and the outbox (issue 15). */
  readonly notify: NotifyStore;

  /**
   * Resolves when the database answers a trivial query (a readiness probe, `GET /readyz`).
   * @throws ExecTrackError STORE_ERROR when it does not.
   */
  ping(): Promise<void>;

  /**
   * A number that changes whenever another connection (another process) has committed to the
   * store since the last call (SQLite's `PRAGMA data_version`); absent where the engine cannot say
   * cheaply. A reader of a store that other processes write (`exec-track ui`) skips its look when it
   * is unchanged.
   */
  dataVersion?(): Promise<number>;

  close(): Promise<void>;
}
