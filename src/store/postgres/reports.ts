import type { ReportLine } from '../../protocol/types.js';
import { isKept, quotaMarker, type QuotaState } from '../ingest.js';
import { decodeChunk, encodeChunks, withMarker, type ReportChunk } from '../report-chunks.js';
import type { ReadReportsOptions, SearchReportsOptions, SearchResult } from '../store.js';
import type { Queryable } from './executions.js';

const COLUMNS = 'first_seq, last_seq, seq_ts, flags, texts, byte_lengths';

/**
 * A data-modifying CTE inserting chunk rows given as parameters $1 (exec) and $2…$7 (arrays of
 * the columns, see {@link chunkParams}); prefix it to the statement that records the batch.
 */
export const CHUNK_INSERT = `WITH chunks AS (INSERT INTO report_chunks (exec, ${COLUMNS})
  SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bytea[], $5::bytea[], $6::bytea[], $7::text[]))`;

/** The parameters $2…$7 of {@link CHUNK_INSERT}. */
export function chunkParams(chunks: readonly ReportChunk[]): unknown[] {
  return [
    chunks.map((c) => c.first_seq),
    chunks.map((c) => c.last_seq),
    chunks.map((c) => c.seq_ts),
    chunks.map((c) => c.flags),
    chunks.map((c) => c.texts),
    chunks.map((c) => c.byte_lengths),
  ];
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
   * the kept new lines, which the caller inserts with {@link CHUNK_INSERT} in the statement that
   * records the batch (one round trip fewer per batch). Call inside the ingest transaction.
   */
  async drop(db: Queryable, exec: number, lines: readonly ReportLine[], before: QuotaState, after: QuotaState): Promise<ReportChunk[]> {
    if (after.dropped > before.dropped) {
      const end = after.head + after.dropped;
      await db.query('DELETE FROM report_chunks WHERE exec = $1 AND first_seq >= $2 AND first_seq < $3 AND last_seq < $3', [exec, after.head, end]);
    }
    return encodeChunks(after.dropped > 0 ? lines.filter((l) => isKept(l.seq, after)) : lines);
  },

  /** Lines in seq order per {@link ReadReportsOptions}; `tail` walks chunks backwards from the end. */
  async read(db: Queryable, exec: number, quota: QuotaState, options: ReadReportsOptions = {}): Promise<ReportLine[]> {
    const visible = (seq: number) => isKept(seq, quota);
    const marker = quota.dropped > 0 ? quotaMarker(quota, await tsAt(db, exec, quota.head + quota.dropped)) : undefined;
    if (options.tail !== undefined) {
      const n = Math.max(0, options.tail);
      const chunks: ReportLine[][] = [];
      let count = 0;
      for await (const chunk of backwards(db, exec)) {
        if (count >= n) break;
        const decoded: ReportLine[] = [];
        decodeChunk(chunk, visible, decoded);
        chunks.push(decoded);
        count += decoded.length;
      }
      const ordered = chunks.reverse().flat();
      return withMarker(ordered.slice(Math.max(0, ordered.length - n)), marker, n, 'end');
    }
    const after = options.after ?? -1;
    const before = options.before ?? Infinity;
    const limit = options.limit === undefined ? Infinity : Math.max(0, options.limit);
    const lines: ReportLine[] = [];
    for await (const chunk of forwards(db, exec, after)) {
      if (lines.length >= limit || chunk.first_seq >= before) break;
      decodeChunk(chunk, (seq) => seq > after && seq < before && visible(seq), lines);
    }
    if (lines.length > limit) lines.length = limit;
    return withMarker(lines, marker && marker.seq > after && marker.seq < before ? marker : undefined, options.limit, 'start');
  },

  /** Seqs of visible lines after `options.after` containing `query` (case-insensitive), within the hit limit and time budget. */
  async search(db: Queryable, exec: number, quota: QuotaState, query: string, options: SearchReportsOptions): Promise<SearchResult> {
    const started = performance.now();
    const needle = query.toLowerCase();
    const after = options.after ?? -1;
    const hits: number[] = [];
    let scannedTo = after;
    for await (const chunk of forwards(db, exec, after)) {
      if (hits.length >= options.limit || performance.now() - started > options.budgetMs) return { hits, scannedTo, complete: false };
      const lines: ReportLine[] = [];
      decodeChunk(chunk, (seq) => seq > after && isKept(seq, quota), lines);
      for (const line of lines) {
        if (hits.length >= options.limit) return { hits, scannedTo, complete: false };
        if (line.text.toLowerCase().includes(needle)) hits.push(line.seq);
        scannedTo = line.seq;
      }
      scannedTo = Math.max(scannedTo, chunk.last_seq);
    }
    return { hits, scannedTo, complete: true };
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

/** Capture time of the stored line `seq` (the first line kept after the quota gap). */
async function tsAt(db: Queryable, exec: number, seq: number): Promise<number> {
  const chunk = (
    await db.query<ReportChunk>(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = $1 AND first_seq <= $2 ORDER BY first_seq DESC LIMIT 1`, [exec, seq])
  ).rows[0];
  const found: ReportLine[] = [];
  if (chunk) decodeChunk(chunk, (s) => s === seq, found);
  return found[0]?.ts ?? 0;
}
