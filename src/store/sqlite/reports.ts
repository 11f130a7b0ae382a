import type { ReportLine } from '../../protocol/types.js';
import { isKept, type QuotaState } from '../ingest.js';
import type { ReadReportsOptions, SearchReportsOptions, SearchResult } from '../store.js';
import type { Db } from './connection.js';
import { preparedOnUse, type LazyDb } from './on-first-use.js';
import { encodeChunks, type ReportChunk } from '../report-chunks.js';
import { feed, gapEnd, LineReader, SearchReader } from '../report-reads.js';

const COLUMNS = 'first_seq, last_seq, seq_ts, flags, texts, byte_lengths';

/** The prepared statements of {@link Reports}. */
const statements = (db: LazyDb) => ({
  insert: db.prepare(`INSERT INTO report_chunks (exec, ${COLUMNS}) VALUES (?, @first_seq, @last_seq, @seq_ts, @flags, @texts, @byte_lengths)`),
  dropChunks: db.prepare('DELETE FROM report_chunks WHERE exec = ? AND first_seq >= ? AND first_seq < ? AND last_seq < ?'),
  from: db.prepare(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = ? AND first_seq >= ? ORDER BY first_seq`),
  backwards: db.prepare(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = ? ORDER BY first_seq DESC`),
  containing: db.prepare(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1`),
  next: db.prepare(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = ? AND first_seq > ? ORDER BY first_seq LIMIT 1`),
});

/**
 * Stored lines, in chunks (see migrations.ts), read back in seq order with the line quota's gap
 * shown as one marker line. Lines of a chunk that the quota dropped later stay in the chunk until
 * all of its lines are dropped, and are hidden on read (so up to one batch more than the quota may
 * sit on disk).
 */
export class Reports {
  readonly #sql: ReturnType<typeof statements>;

  constructor(db: Db) {
    this.#sql = statements(preparedOnUse(db));
  }

  /**
   * Stores new contiguous lines under the quota: deletes chunks that the rolling tail left behind
   * (`before` → `after`) and stores the new lines that are kept as one chunk (more for a batch
   * of long lines: {@link encodeChunks}). Call inside the ingest transaction.
   */
  store(exec: number, lines: readonly ReportLine[], before: QuotaState, after: QuotaState): void {
    if (after.dropped > before.dropped) {
      const end = after.head + after.dropped;
      this.#sql.dropChunks.run(exec, after.head, end, end);
    }
    const kept = after.dropped > 0 ? lines.filter((l) => isKept(l.seq, after)) : lines;
    for (const chunk of encodeChunks(kept)) this.#sql.insert.run(exec, chunk);
  }

  /** Lines in seq order per {@link ReadReportsOptions} ({@link LineReader}); `tail` walks chunks backwards from the end, never scans. */
  read(exec: number, quota: QuotaState, options: ReadReportsOptions = {}): ReportLine[] {
    const gap = gapEnd(quota);
    const reader = new LineReader(quota, options, gap === undefined ? undefined : this.#chunkFrom(exec, gap));
    return feed(reader, reader.backwards ? (this.#sql.backwards.iterate(exec) as IterableIterator<ReportChunk>) : this.#chunksFrom(exec, reader.after));
  }

  /** Seqs of the visible lines after `options.after` whose text contains `query` ({@link SearchReader}). */
  search(exec: number, quota: QuotaState, query: string, options: SearchReportsOptions): SearchResult {
    const reader = new SearchReader(quota, query, options);
    return feed(reader, this.#chunksFrom(exec, reader.after));
  }

  /** Chunks holding seqs greater than `after`, in seq order (from the one containing after + 1). */
  #chunksFrom(exec: number, after: number): IterableIterator<ReportChunk> {
    const start = this.#chunkHolding(exec, after + 1)?.first_seq ?? 0;
    return this.#sql.from.iterate(exec, start) as IterableIterator<ReportChunk>;
  }

  /** The chunk holding the first line at or after `seq`. */
  #chunkFrom(exec: number, seq: number): ReportChunk | undefined {
    const holding = this.#chunkHolding(exec, seq);
    return holding && holding.last_seq >= seq ? holding : (this.#sql.next.get(exec, seq) as ReportChunk | undefined);
  }

  /** The last chunk with first_seq ≤ `seq`: the one holding `seq` when that is stored. */
  #chunkHolding(exec: number, seq: number): ReportChunk | undefined {
    return this.#sql.containing.get(exec, seq) as ReportChunk | undefined;
  }
}
