import type { Clock } from '../../clock.js';
import type { Execution, MetricPoint, MetricSummary, NewExecution, Outcome, ReportLine, Session } from '../../protocol/types.js';
import { executionNotFound, sessionNotFound } from '../errors.js';
import { batchPlan, quotaAfter } from '../ingest.js';
import type { StreamContexts } from '../metric-series.js';
import type { SeriesJson as ChartSeries } from '../../protocol/responses.js';
import type { SeriesQuery } from '../downsample.js';
import type { AppendResult, LogExtent, ReadReportsOptions, SearchReportsOptions, SearchResult, Store, User } from '../store.js';
import { engineSafe, transaction, type Pool } from './connection.js';
import { PostgresNotifyStore } from './notify.js';
import { executions, type Queryable } from './executions.js';
import { Metrics, seriesRows, type SeriesJson } from './metrics.js';
import { chunkInsert, reports } from './reports.js';
import type { ReportChunk } from '../report-chunks.js';
import { purge } from './retention.js';
import { sessions, users } from './sessions.js';

/** What ingest and reads need of an execution, read once per call. */
interface IngestRow {
  num: number;
  last_seq: number;
  line_count: number;
  line_quota: number;
  metrics_enabled: boolean;
  metrics_pattern: string | null;
  metric_context: string | null;
}

const INGEST_ROW = 'SELECT num, last_seq, line_count, line_quota, metrics_enabled, metrics_pattern, metric_context FROM executions WHERE id = $1';
/** The ingest row locked for the batch, with the execution's metric series (one round trip). */
const LOCKED_INGEST_ROW = `SELECT num, last_seq, line_count, line_quota, metrics_enabled, metrics_pattern, metric_context,
  (SELECT json_agg(json_build_object('key', key, 'last', last, 'min', min, 'max', max, 'count', count, 'last_step', last_step))
   FROM metric_series WHERE exec = executions.num) AS series
  FROM executions WHERE id = $1 FOR UPDATE`;

/** {@link Store.gatherLines}: measured in B3pg (docs/benchmarks.md). */
const GATHER_LINES = 8000;

/** Options of {@link PostgresStore}; defaults are merged by `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** Stored lines per execution before the quota drops middle lines (issue 3 point 7). */
  lineQuota: number;
  /** The clock that stamps `lastSeenAt` on ingest. */
  clock: Clock;
}

/**
 * The PostgreSQL {@link Store} (node-postgres with a pool), for several server instances on one
 * database (issue 13). Same layout and rules as the SQLite store: chunks, idempotent ingest by
 * `last_seq` in one transaction per batch with the execution row locked `FOR UPDATE` (two
 * instances writing one execution, as in a failover, take turns), versioned migrations. Every call
 * goes through {@link engineSafe}: a transient engine error is retried, any other leaves as
 * `STORE_ERROR`. Open it with `openPostgresStore`.
 */
export class PostgresStore implements Store {
  readonly #pool: Pool;
  readonly #clock: Clock;
  readonly #lineQuota: number;
  readonly #metrics = new Metrics();
  readonly #onClose: () => Promise<void>;
  readonly notify: PostgresNotifyStore;
  /** A batch costs the same few round trips whatever its size (issue 13 B3pg); chunks of ~8 000 lines still read a few per query. */
  readonly gatherLines = GATHER_LINES;

  constructor(pool: Pool, options: PostgresStoreOptions, onClose: () => Promise<void>) {
    this.#pool = pool;
    this.notify = new PostgresNotifyStore(pool);
    this.#clock = options.clock;
    this.#lineQuota = options.lineQuota;
    this.#onClose = onClose;
  }

  /** The pool, for the shared server state of src/server/shared/ (through src/store/postgres/ only). */
  get pool(): Pool {
    return this.#pool;
  }

  async createSession(session: Session): Promise<Session> {
    return engineSafe(() => sessions.create(this.#pool, session));
  }

  async getSession(id: string): Promise<Session | undefined> {
    return engineSafe(() => sessions.get(this.#pool, id));
  }

  async findSessionByTitle(title: string, ownerId: string | null): Promise<Session | undefined> {
    return engineSafe(() => sessions.findByTitle(this.#pool, title, ownerId));
  }

  async listSessions(ownerId: string | null): Promise<Session[]> {
    return engineSafe(() => sessions.list(this.#pool, ownerId));
  }

  async countSessions(ownerId: string | null): Promise<number> {
    return engineSafe(() => sessions.count(this.#pool, ownerId));
  }

  async deleteSession(id: string): Promise<boolean> {
    return engineSafe(async () => ((await this.#pool.query('DELETE FROM sessions WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }

  async createExecution(e: NewExecution): Promise<Execution> {
    return engineSafe(async () => {
      if (!(await sessions.get(this.#pool, e.sessionId))) throw sessionNotFound(e.sessionId);
      return executions.create(this.#pool, e, this.#lineQuota);
    });
  }

  async getExecution(id: string): Promise<Execution | undefined> {
    return engineSafe(() => executions.get(this.#pool, id));
  }

  async listExecutions(sessionId: string): Promise<Execution[]> {
    return engineSafe(() => executions.list(this.#pool, sessionId));
  }

  async countExecutions(sessionId: string): Promise<number> {
    return engineSafe(() => executions.count(this.#pool, sessionId));
  }

  async lastExecution(ownerId: string | null): Promise<Execution | undefined> {
    return engineSafe(() => executions.last(this.#pool, ownerId));
  }

  async finishExecution(id: string, outcome: Outcome): Promise<Execution> {
    return engineSafe(() => executions.finish(this.#pool, id, outcome));
  }

  async touchExecution(id: string, at: number): Promise<void> {
    return engineSafe(async () => {
      await transaction(this.#pool, (client) => executions.touch(client, id, at));
    });
  }

  async markLost(cutoff: number, reason: string, ids?: string[]): Promise<string[]> {
    return engineSafe(async () => {
      if (ids?.length === 0) return [];
      return executions.markLost(this.#pool, cutoff, reason, ids);
    });
  }

  async deleteExecution(id: string): Promise<boolean> {
    return engineSafe(async () => ((await this.#pool.query('DELETE FROM executions WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }

  /**
   * Ingest (DESIGN §5, §7), one transaction per batch, the rules of the SQLite store: the lines
   * that extend the contiguous run are stored under the line quota, metrics parsed from every new
   * line, lineCount and lastSeenAt (the store's clock, also for a pure resend) updated.
   * @throws ExecTrackError `NOT_FOUND`
   */
  async appendReports(executionId: string, lines: ReportLine[]): Promise<AppendResult> {
    return engineSafe(async () => {
      return transaction(this.#pool, async (db) => {
        const row = (await db.query<IngestRow & { series: SeriesJson[] | null }>(LOCKED_INGEST_ROW, [executionId])).rows[0];
        if (!row) throw executionNotFound(executionId);
        const { fresh, textLines, lastSeq, before, after, lineCount } = batchPlan(lines, row);
        let context = row.metric_context;
        let chunks: ReportChunk[] = [];
        if (fresh.length > 0) {
          chunks = await reports.drop(db, row.num, textLines, before, after);
          const contexts = context ? (JSON.parse(context) as StreamContexts) : {};
          await this.#metrics.ingest(db, row.num, { enabled: row.metrics_enabled, pattern: row.metrics_pattern }, fresh, contexts, seriesRows(row.series));
          const changed = JSON.stringify(contexts);
          if (changed !== (context ?? '{}')) context = changed;
        }
        // the batch's chunks go in with the row update: one statement, one round trip
        const insert = chunkInsert(chunks, 7);
        await db.query(
          `${insert.sql} UPDATE executions SET last_seq = $2, line_count = $3, dropped = $4, last_seen_at = greatest(coalesce(last_seen_at, 0), $5), metric_context = $6 WHERE num = $1`,
          [row.num, lastSeq, lineCount, after.dropped, this.#clock(), context, ...insert.params],
        );
        return { lastSeq, added: fresh.length };
      });
    });
  }

  async lastSeq(executionId: string): Promise<number> {
    return engineSafe(async () => (await this.#row(this.#pool, executionId)).last_seq);
  }

  async readReports(executionId: string, options?: ReadReportsOptions): Promise<ReportLine[]> {
    return engineSafe(async () => {
      const row = await this.#row(this.#pool, executionId);
      return reports.read(this.#pool, row.num, quotaAfter(row.line_quota, row.last_seq), options);
    });
  }

  async searchReports(executionId: string, query: string, options: SearchReportsOptions): Promise<SearchResult> {
    return engineSafe(async () => {
      const row = await this.#row(this.#pool, executionId);
      return reports.search(this.#pool, row.num, quotaAfter(row.line_quota, row.last_seq), query, options);
    });
  }

  async logExtent(executionId: string): Promise<LogExtent> {
    return engineSafe(async () => {
      const row = await this.#row(this.#pool, executionId);
      return { lastSeq: row.last_seq, quota: row.line_quota };
    });
  }

  async metricSummary(executionId: string): Promise<Record<string, MetricSummary>> {
    return engineSafe(async () => this.#metrics.summary(this.#pool, (await this.#row(this.#pool, executionId)).num));
  }

  async metricPoints(executionId: string, key?: string, options: { afterSeq?: number } = {}): Promise<MetricPoint[]> {
    return engineSafe(async () => this.#metrics.points(this.#pool, (await this.#row(this.#pool, executionId)).num, key, options.afterSeq));
  }

  async metricSeries(executionId: string, key: string, query: SeriesQuery): Promise<ChartSeries> {
    return engineSafe(async () => this.#metrics.series(this.#pool, (await this.#row(this.#pool, executionId)).num, key, query));
  }

  async createUser(user: User): Promise<void> {
    return engineSafe(async () => {
      await users.create(this.#pool, user);
    });
  }

  async getUserByTokenHash(tokenHash: string): Promise<User | undefined> {
    return engineSafe(() => users.byTokenHash(this.#pool, tokenHash));
  }

  async touchUser(id: string, at: number): Promise<void> {
    return engineSafe(async () => {
      await users.touch(this.#pool, id, at);
    });
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return engineSafe(() => users.secret(this.#pool, name, create));
  }

  async purge(cutoff: number): Promise<{ sessions: number; users: number }> {
    return purge(this.#pool, cutoff);
  }

  async ping(): Promise<void> {
    await engineSafe(() => this.#pool.query('SELECT 1'));
  }

  async close(): Promise<void> {
    await this.#onClose();
  }

  async #row(db: Queryable, executionId: string): Promise<IngestRow> {
    const row = (await db.query<IngestRow>(INGEST_ROW, [executionId])).rows[0];
    if (!row) throw executionNotFound(executionId);
    return row;
  }
}
