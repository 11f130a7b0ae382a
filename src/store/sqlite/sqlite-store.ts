import type { Statement } from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import { ExecTrackError } from '../../errors.js';
import type { Execution, MetricPoint, MetricSummary, NewExecution, NewMetricPoint, Outcome, ReportLine, Session } from '../../protocol/types.js';
import { contiguousNew, quotaAfter } from '../ingest.js';
import type { AppendResult, ReadReportsOptions, Store, User } from '../store.js';
import { openConnection, writeTransaction, type Db } from './connection.js';
import { Executions, notFound } from './executions.js';
import { Metrics } from './metrics.js';
import { migrate } from './migrations.js';
import { Reports } from './reports.js';
import { Retention } from './retention.js';
import { Sessions } from './sessions.js';
import { Users } from './users.js';

/** What ingest needs of an execution, read once per batch. */
interface IngestRow {
  num: number;
  last_seq: number;
  line_quota: number;
  metrics_enabled: number;
  metrics_pattern: string | null;
}

/** Options of {@link SqliteStore}; defaults are merged by `openStore`. */
export interface SqliteStoreOptions {
  /** Stored lines per execution before the quota drops middle lines (issue 3 point 7). */
  lineQuota: number;
  /** The clock that stamps `lastSeenAt` on ingest. */
  clock: Clock;
}

/**
 * The SQLite {@link Store} (better-sqlite3, synchronous underneath): WAL, prepared statements,
 * one transaction per multi-statement write, versioned migrations. Open it with `openStore`.
 */
export class SqliteStore implements Store {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #sessions: Sessions;
  readonly #executions: Executions;
  readonly #reports: Reports;
  readonly #metrics: Metrics;
  readonly #users: Users;
  readonly #retention: Retention;
  readonly #ingestRow: Statement;
  readonly #afterIngest: Statement;
  readonly #append: (executionId: string, lines: ReportLine[]) => AppendResult;
  readonly #appendPoints: (executionId: string, points: NewMetricPoint[]) => void;

  constructor(path: string, options: SqliteStoreOptions) {
    this.#db = openConnection(path);
    this.#clock = options.clock;
    migrate(this.#db);
    this.#sessions = new Sessions(this.#db);
    this.#executions = new Executions(this.#db, options.lineQuota);
    this.#reports = new Reports(this.#db);
    this.#metrics = new Metrics(this.#db);
    this.#users = new Users(this.#db);
    this.#retention = new Retention(this.#db);
    this.#ingestRow = this.#db.prepare('SELECT num, last_seq, line_quota, metrics_enabled, metrics_pattern FROM executions WHERE id = ?');
    this.#afterIngest = this.#db.prepare(
      'UPDATE executions SET last_seq = ?, line_count = ?, dropped = ?, last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE num = ?',
    );
    this.#append = writeTransaction(this.#db, (id: string, lines: ReportLine[]) => this.#ingest(id, lines));
    this.#appendPoints = writeTransaction(this.#db, (id: string, points: NewMetricPoint[]) => {
      const row = this.#ingestRow.get(id) as IngestRow | undefined;
      if (!row) throw notFound(id);
      this.#metrics.ingestPoints(row.num, row.last_seq + 1, points);
    });
  }

  async createSession(session: Session): Promise<Session> {
    return this.#sessions.create(session);
  }

  async getSession(id: string): Promise<Session | undefined> {
    return this.#sessions.get(id);
  }

  async findSessionByTitle(title: string, ownerId: string | null): Promise<Session | undefined> {
    return this.#sessions.findByTitle(title, ownerId);
  }

  async listSessions(ownerId: string | null): Promise<Session[]> {
    return this.#sessions.list(ownerId);
  }

  async deleteSession(id: string): Promise<boolean> {
    return this.#retention.deleteSession(id);
  }

  async createExecution(e: NewExecution): Promise<Execution> {
    if (!this.#sessions.get(e.sessionId)) {
      throw new ExecTrackError('NOT_FOUND', `No session ${e.sessionId} in this store; create the session first.`);
    }
    return this.#executions.create(e);
  }

  async getExecution(id: string): Promise<Execution | undefined> {
    return this.#executions.get(id);
  }

  async listExecutions(sessionId: string): Promise<Execution[]> {
    return this.#executions.list(sessionId);
  }

  async lastExecution(ownerId: string | null): Promise<Execution | undefined> {
    return this.#executions.last(ownerId);
  }

  async finishExecution(id: string, outcome: Outcome): Promise<Execution> {
    return this.#executions.finish(id, outcome);
  }

  async touchExecution(id: string, at: number): Promise<void> {
    this.#executions.touch(id, at);
  }

  async markLost(cutoff: number, reason: string, ids?: string[]): Promise<string[]> {
    return writeTransaction(this.#db, () => this.#executions.markLost(cutoff, reason, ids))();
  }

  async deleteExecution(id: string): Promise<boolean> {
    return this.#retention.deleteExecution(id);
  }

  /**
   * Ingest (DESIGN §5, §7): one transaction per batch. Stores the lines that extend the
   * contiguous run, applies the line quota, parses metrics of every new line (kept or dropped),
   * updates lineCount and lastSeenAt (the store's clock, also for pure resends: the writer is
   * alive). Does not change the state: a heartbeat (`touchExecution`) revives a lost execution.
   * @throws ExecTrackError `NOT_FOUND`
   */
  async appendReports(executionId: string, lines: ReportLine[]): Promise<AppendResult> {
    return this.#append(executionId, lines);
  }

  #ingest(id: string, lines: ReportLine[]): AppendResult {
    const row = this.#ingestRow.get(id) as IngestRow | undefined;
    if (!row) throw notFound(id);
    const fresh = contiguousNew(lines, row.last_seq);
    const lastSeq = row.last_seq + fresh.length;
    const before = quotaAfter(row.line_quota, row.last_seq);
    const after = quotaAfter(row.line_quota, lastSeq);
    if (fresh.length > 0) {
      this.#reports.store(row.num, fresh, before, after);
      if (row.metrics_enabled === 1) this.#metrics.ingest(row.num, { enabled: true, pattern: row.metrics_pattern }, fresh);
    }
    this.#afterIngest.run(lastSeq, lastSeq + 1 - after.dropped, after.dropped, this.#clock(), row.num);
    return { lastSeq, added: fresh.length };
  }

  async appendMetrics(executionId: string, points: NewMetricPoint[]): Promise<void> {
    if (points.length > 0) this.#appendPoints(executionId, points);
  }

  async readReports(executionId: string, options?: ReadReportsOptions): Promise<ReportLine[]> {
    const row = this.#ingestRow.get(executionId) as IngestRow | undefined;
    if (!row) throw notFound(executionId);
    return this.#reports.read(row.num, quotaAfter(row.line_quota, row.last_seq), options);
  }

  async metricSummary(executionId: string): Promise<Record<string, MetricSummary>> {
    return this.#metrics.summary(this.#num(executionId));
  }

  async metricPoints(executionId: string, key?: string, options: { afterSeq?: number } = {}): Promise<MetricPoint[]> {
    return this.#metrics.points(this.#num(executionId), key, options.afterSeq);
  }

  async createUser(user: User): Promise<void> {
    this.#users.create(user);
  }

  async getUserByTokenHash(tokenHash: string): Promise<User | undefined> {
    return this.#users.byTokenHash(tokenHash);
  }

  async touchUser(id: string, at: number): Promise<void> {
    this.#users.touch(id, at);
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return this.#users.secret(name, create);
  }

  async purge(cutoff: number): Promise<{ sessions: number; users: number }> {
    return this.#retention.purge(cutoff);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #num(executionId: string): number {
    const row = this.#ingestRow.get(executionId) as IngestRow | undefined;
    if (!row) throw notFound(executionId);
    return row.num;
  }
}
