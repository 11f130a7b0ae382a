import type { ReportLine } from '../../protocol/types.js';
import { isKept, type QuotaState } from '../ingest.js';
import { encodeChunks, type ReportChunk } from '../report-chunks.js';
import { feedAsync, gapEnd, LineReader, SearchReader } from '../report-reads.js';
import type { ReadReportsOptions, SearchReportsOptions, SearchResult } from '../store.js';
import type { Queryable } from './executions.js';

const COLUMNS = 'first_seq, last_seq, seq_ts, flags, texts, byte_lengths';

/**
 * A data-modifying CTE inserting `chunks` for execution `$1`, their columns as parameters from
 * `$first` on (six per chunk), to prefix to the statement that records the batch; '' for none.
 * One VALUES row per chunk rather than `unnest` of arrays: node-postgres sends a Buffer parameter
 * as binary, while a bytea[] goes as hex text that both sides encode and parse (issue 13 B3pg).
 */
export function chunkInsert(chunks: readonly ReportChunk[], first: number): { sql: string; params: unknown[] } {
  if (chunks.length === 0) return { sql: '', params: [] };
  const rows = chunks.map((_, i) => {
    const at = first + 6 * i;
    return `($1, $${at}::bigint, $${at + 1}::bigint, $${at + 2}::bytea, $${at + 3}::bytea, $${at + 4}::bytea, $${at + 5}::text)`;
  });
  return {
    sql: `WITH chunks AS (INSERT INTO report_chunks (exec, ${COLUMNS}) VALUES ${rows.join(', ')})`,
    params: chunks.flatMap((c) => [c.first_seq, c.last_seq, c.seq_ts, c.flags, c.texts, c.byte_lengths]),
  };
}

/** Chunks fetched per round trip while walking (a chunk is one ingest batch, typically ~1 000 lines). */
const PAGE = 4;

/**
 * Stored lines in chunks (src/store/postgres/migrations.ts), the same rules as the SQLite engine
 * (src/store/sqlite/reports.ts): the quota's gap is one marker line, lines of a chunk the quota
 * dropped later are hidden on read. Reads walk the (exec, first_seq) primary key a few chunks per
 * round trip, from the chunk that holds the first line asked for: never a scan of the execution.
 */
export const reports = {
  /**
   * Deletes chunks the rolling tail left behind (`before` → `after`) and returns the chunk rows of
   * the kept new lines, which the caller inserts with {@link chunkInsert} in the statement that
   * records the batch (one round trip fewer per batch). Call inside the ingest transaction.
   */
  async drop(db: Queryable, exec: number, lines: readonly ReportLine[], before: QuotaState, after: QuotaState): Promise<ReportChunk[]> {
    if (after.dropped > before.dropped) {
      const end = after.head + after.dropped;
      await db.query('DELETE FROM report_chunks WHERE exec = $1 AND first_seq >= $2 AND first_seq < $3 AND last_seq < $3', [exec, after.head, end]);
    }
    return encodeChunks(after.dropped > 0 ? lines.filter((l) => isKept(l.seq, after)) : lines);
  },

  /** Lines in seq order per {@link ReadReportsOptions} ({@link LineReader}); `tail` walks chunks backwards from the end. */
  async read(db: Queryable, exec: number, quota: QuotaState, options: ReadReportsOptions = {}): Promise<ReportLine[]> {
    const gap = gapEnd(quota);
    const reader = new LineReader(quota, options, gap === undefined ? undefined : await chunkFrom(db, exec, gap));
    return feedAsync(reader, reader.backwards ? backwards(db, exec) : forwards(db, exec, reader.after));
  },

  /** Seqs of visible lines after `options.after` containing `query` ({@link SearchReader}). */
  async search(db: Queryable, exec: number, quota: QuotaState, query: string, options: SearchReportsOptions): Promise<SearchResult> {
    const reader = new SearchReader(quota, query, options);
    return feedAsync(reader, forwards(db, exec, reader.after));
  },
};

/** Chunks holding seqs greater than `after`, in seq order, {@link PAGE} per query. */
async function* forwards(db: Queryable, exec: number, after: number): AsyncGenerator<ReportChunk> {
  const first = await db.query<ReportChunk>(
    `SELECT ${COLUMNS} FROM report_chunks WHERE exec = $1
     AND first_seq >= coalesce((SELECT max(first_seq) FROM report_chunks WHERE exec = $1 AND first_seq <= $2), 0)
     ORDER BY first_seq LIMIT ${PAGE}`,
    [exec, after + 1],
  );
  let page = first.rows;
  while (page.length > 0) {
    yield* page;
    if (page.length < PAGE) return;
    page = (
      await db.query<ReportChunk>(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = $1 AND first_seq > $2 ORDER BY first_seq LIMIT ${PAGE}`, [
        exec,
        page.at(-1)!.first_seq,
      ])
    ).rows;
  }
}

/** Chunks from the last one backwards, {@link PAGE} per query. */
async function* backwards(db: Queryable, exec: number): AsyncGenerator<ReportChunk> {
  let below = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const page = (
      await db.query<ReportChunk>(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = $1 AND first_seq < $2 ORDER BY first_seq DESC LIMIT ${PAGE}`, [
        exec,
        below,
      ])
    ).rows;
    yield* page;
    if (page.length < PAGE) return;
    below = page.at(-1)!.first_seq;
  }
}

/** The chunk holding the first line at or after `seq`. */
async function chunkFrom(db: Queryable, exec: number, seq: number): Promise<ReportChunk | undefined> {
  const holding = await chunkHolding(db, exec, seq);
  if (holding && holding.last_seq >= seq) return holding;
  return (await db.query<ReportChunk>(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = $1 AND first_seq > $2 ORDER BY first_seq LIMIT 1`, [exec, seq]))
    .rows[0];
}

/** The last chunk with first_seq ≤ `seq`: the one holding `seq` when that is stored. */
async function chunkHolding(db: Queryable, exec: number, seq: number): Promise<ReportChunk | undefined> {
  return (await db.query<ReportChunk>(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = $1 AND first_seq <= $2 ORDER BY first_seq DESC LIMIT 1`, [exec, seq]))
    .rows[0];
}
