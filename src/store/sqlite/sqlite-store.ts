import type { Statement } from 'better-sqlite3';
import type { Clock } from '../../clock.js';
import { ExecTrackError } from '../../errors.js';
import type { Execution, MetricPoint, MetricSummary, NewExecution, Outcome, ReportLine, Session } from '../../protocol/types.js';
import { executionNotFound, sessionNotFound } from '../errors.js';
import { batchPlan, quotaAfter } from '../ingest.js';
import type { SeriesJson } from '../../protocol/responses.js';
import type { SeriesQuery } from '../downsample.js';
import type { AppendResult, LogExtent, ReadReportsOptions, SearchReportsOptions, SearchResult, Store, User } from '../store.js';
import { openConnection, writeTransaction, writeWhenFree, type Db } from './connection.js';
import { Executions } from './executions.js';
import { Metrics } from './metrics.js';
import { SqliteNotifyStore } from './notify.js';
import { checkVersion, migrate, SCHEMA_VERSION } from './migrations.js';
import { Reports } from './reports.js';
import { Retention } from './retention.js';
import { Sessions } from './sessions.js';
import { Users } from './users.js';

/** What ingest needs of an execution, read once per batch. */
interface IngestRow {
  num: number;
  last_seq: number;
  line_count: number;
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
  /** Open an existing file for reading only (no migration; every write throws SQLITE_READONLY). */
  readonly?: boolean;
}

/**
 * The SQLite {@link Store} (better-sqlite3, synchronous underneath): WAL, prepared statements,
 * one transaction per multi-statement write, versioned migrations. Every write waits out another
 * process's lock ({@link writeWhenFree}), so SQLITE_BUSY never reaches a caller before ~5 s. Open it with `openStore`.
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
  readonly #touch: (id: string, at: number) => void;
  readonly notify: SqliteNotifyStore;

  constructor(path: string, options: SqliteStoreOptions) {
    this.#db = openConnection(path, { readonly: options.readonly });
    this.#clock = options.clock;
    if (!options.readonly) migrate(this.#db);
    else if (checkVersion(this.#db) < SCHEMA_VERSION) {
      this.#db.close();
      throw new ExecTrackError(
        'STORE_ERROR',
        `The database ${path} needs an upgrade, which cannot be written while the disk is full; free some space and retry.`,
      );
    }
    this.#sessions = new Sessions(this.#db);
    this.#executions = new Executions(this.#db, options.lineQuota);
    this.#reports = new Reports(this.#db);
    this.#metrics = new Metrics(this.#db);
    this.#users = new Users(this.#db);
    this.#retention = new Retention(this.#db);
    this.notify = new SqliteNotifyStore(this.#db);
    this.#ingestRow = this.#db.prepare('SELECT num, last_seq, line_count, line_quota, metrics_enabled, metrics_pattern FROM executions WHERE id = ?');
    this.#afterIngest = this.#db.prepare(
      'UPDATE executions SET last_seq = ?, line_count = ?, dropped = ?, last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE num = ?',
    );
    this.#touch = writeTransaction(this.#db, (id: string, at: number) => this.#executions.touch(id, at));
    this.#append = writeTransaction(this.#db, (id: string, lines: ReportLine[]) => this.#ingest(id, lines));
  }

  async createSession(session: Session): Promise<Session> {
    return writeWhenFree(() => this.#sessions.create(session));
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

  async countSessions(ownerId: string | null): Promise<number> {
    return this.#sessions.count(ownerId);
  }

  async deleteSession(id: string): Promise<boolean> {
    return writeWhenFree(() => this.#retention.deleteSession(id));
  }

  async createExecution(e: NewExecution): Promise<Execution> {
    if (!this.#sessions.get(e.sessionId)) {
      throw sessionNotFound(e.sessionId);
    }
    return writeWhenFree(() => this.#executions.create(e));
  }

  async getExecution(id: string): Promise<Execution | undefined> {
    return this.#executions.get(id);
  }

  async listExecutions(sessionId: string): Promise<Execution[]> {
    return this.#executions.list(sessionId);
  }

  async countExecutions(sessionId: string): Promise<number> {
    return this.#executions.count(sessionId);
  }

  async lastExecution(ownerId: string | null): Promise<Execution | undefined> {
    return this.#executions.last(ownerId);
  }

  async finishExecution(id: string, outcome: Outcome): Promise<Execution> {
    return writeWhenFree(() => this.#executions.finish(id, outcome));
  }

  async touchExecution(id: string, at: number): Promise<void> {
    await writeWhenFree(() => this.#touch(id, at));
  }

  async markLost(cutoff: number, reason: string, ids?: string[]): Promise<string[]> {
    return writeWhenFree(writeTransaction(this.#db, () => this.#executions.markLost(cutoff, reason, ids)));
  }

  async deleteExecution(id: string): Promise<boolean> {
    return writeWhenFree(() => this.#retention.deleteExecution(id));
  }

  /**
   * Ingest (DESIGN §5, §7): one transaction per batch. Stores the lines that extend the
   * contiguous run, applies the line quota, parses metrics of every new line (kept or dropped),
   * updates lineCount and lastSeenAt (the store's clock, also for pure resends: the writer is
   * alive). Does not change the state: a heartbeat (`touchExecution`) revives a lost execution.
   * @throws ExecTrackError `NOT_FOUND`
   */
  async appendReports(executionId: string, lines: ReportLine[]): Promise<AppendResult> {
    return writeWhenFree(() => this.#append(executionId, lines));
  }

  #ingest(id: string, lines: ReportLine[]): AppendResult {
    const row = this.#ingestRow.get(id) as IngestRow | undefined;
    if (!row) throw executionNotFound(id);
    const { fresh, textLines, lastSeq, before, after, lineCount } = batchPlan(lines, row);
    if (fresh.length > 0) {
      this.#reports.store(row.num, textLines, before, after);
      this.#metrics.ingest(row.num, { enabled: row.metrics_enabled === 1, pattern: row.metrics_pattern }, fresh);
    }
    this.#afterIngest.run(lastSeq, lineCount, after.dropped, this.#clock(), row.num);
    return { lastSeq, added: fresh.length };
  }

  async lastSeq(executionId: string): Promise<number> {
    return this.#row(executionId).last_seq;
  }

  async readReports(executionId: string, options?: ReadReportsOptions): Promise<ReportLine[]> {
    const row = this.#ingestRow.get(executionId) as IngestRow | undefined;
    if (!row) throw executionNotFound(executionId);
    return this.#reports.read(row.num, quotaAfter(row.line_quota, row.last_seq), options);
  }

  async searchReports(executionId: string, query: string, options: SearchReportsOptions): Promise<SearchResult> {
    const row = this.#row(executionId);
    return this.#reports.search(row.num, quotaAfter(row.line_quota, row.last_seq), query, options);
  }

  async logExtent(executionId: string): Promise<LogExtent> {
    const row = this.#row(executionId);
    return { lastSeq: row.last_seq, quota: row.line_quota };
  }

  async metricSummary(executionId: string): Promise<Record<string, MetricSummary>> {
    return this.#metrics.summary(this.#num(executionId));
  }

  async metricPoints(executionId: string, key?: string, options: { afterSeq?: number } = {}): Promise<MetricPoint[]> {
    return this.#metrics.points(this.#num(executionId), key, options.afterSeq);
  }

  async metricSeries(executionId: string, key: string, query: SeriesQuery): Promise<SeriesJson> {
    return this.#metrics.series(this.#num(executionId), key, query);
  }

  async createUser(user: User): Promise<void> {
    await writeWhenFree(() => this.#users.create(user));
  }

  async getUserByTokenHash(tokenHash: string): Promise<User | undefined> {
    return this.#users.byTokenHash(tokenHash);
  }

  async touchUser(id: string, at: number): Promise<void> {
    await writeWhenFree(() => this.#users.touch(id, at));
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return writeWhenFree(() => this.#users.secret(name, create));
  }

  async purge(cutoff: number): Promise<{ sessions: number; users: number }> {
    return writeWhenFree(() => this.#retention.purge(cutoff));
  }

  async ping(): Promise<void> {
    try {
      this.#db.prepare('SELECT 1').get();
    } catch (cause) {
      throw new ExecTrackError('STORE_ERROR', `The SQLite database does not answer (${(cause as Error).message}); check the file and restart the server.`, {
        cause,
      });
    }
  }

  async dataVersion(): Promise<number> {
    return this.#db.pragma('data_version', { simple: true }) as number;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #num(executionId: string): number {
    return this.#row(executionId).num;
  }

  #row(executionId: string): IngestRow {
    const row = this.#ingestRow.get(executionId) as IngestRow | undefined;
    if (!row) throw executionNotFound(executionId);
    return row;
  }
}
