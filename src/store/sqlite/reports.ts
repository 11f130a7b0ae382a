import type { Statement } from 'better-sqlite3';
import type { ReportLine } from '../../protocol/types.js';
import { isKept, quotaMarker, type QuotaState } from '../ingest.js';
import type { ReadReportsOptions, SearchReportsOptions, SearchResult } from '../store.js';
import type { Db } from './connection.js';
import { decodeChunk, encodeChunks, withMarker, type ReportChunk } from '../report-chunks.js';

const COLUMNS = 'first_seq, last_seq, seq_ts, flags, texts, byte_lengths';

/**
 * Stored lines, in chunks (see migrations.ts), read back in seq order with the line quota's gap
 * shown as one marker line. Lines of a chunk that the quota dropped later stay in the chunk until
 * all of its lines are dropped, and are hidden on read (so up to one batch more than the quota may
 * sit on disk).
 */
export class Reports {
  readonly #insert: Statement;
  readonly #dropChunks: Statement;
  readonly #from: Statement;
  readonly #backwards: Statement;
  readonly #containing: Statement;

  constructor(db: Db) {
    this.#insert = db.prepare(`INSERT INTO report_chunks (exec, ${COLUMNS}) VALUES (?, @first_seq, @last_seq, @seq_ts, @flags, @texts, @byte_lengths)`);
    this.#dropChunks = db.prepare('DELETE FROM report_chunks WHERE exec = ? AND first_seq >= ? AND first_seq < ? AND last_seq < ?');
    this.#containing = db.prepare(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1`);
    this.#from = db.prepare(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = ? AND first_seq >= ? ORDER BY first_seq`);
    this.#backwards = db.prepare(`SELECT ${COLUMNS} FROM report_chunks WHERE exec = ? ORDER BY first_seq DESC`);
  }

  /**
   * Stores new contiguous lines under the quota: deletes chunks that the rolling tail left behind
   * (`before` → `after`) and stores the new lines that are kept as one chunk (more for a batch
   * of long lines: {@link encodeChunks}). Call inside the ingest transaction.
   */
  store(exec: number, lines: readonly ReportLine[], before: QuotaState, after: QuotaState): void {
    if (after.dropped > before.dropped) {
      const end = after.head + after.dropped;
      this.#dropChunks.run(exec, after.head, end, end);
    }
    const kept = after.dropped > 0 ? lines.filter((l) => isKept(l.seq, after)) : lines;
    for (const chunk of encodeChunks(kept)) this.#insert.run(exec, chunk);
  }

  /** Lines in seq order per {@link ReadReportsOptions}; `tail` walks chunks backwards from the end, never scans. */
  read(exec: number, quota: QuotaState, options: ReadReportsOptions = {}): ReportLine[] {
    const visible = (seq: number) => isKept(seq, quota);
    const marker = quota.dropped > 0 ? quotaMarker(quota, this.#tsAt(exec, quota.head + quota.dropped)) : undefined;
    if (options.tail !== undefined) {
      const n = Math.max(0, options.tail);
      const chunks: ReportLine[][] = [];
      let count = 0;
      for (const chunk of this.#backwards.iterate(exec) as IterableIterator<ReportChunk>) {
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
    for (const chunk of this.#chunksFrom(exec, after)) {
      if (lines.length >= limit || chunk.first_seq >= before) break;
      decodeChunk(chunk, (seq) => seq > after && seq < before && visible(seq), lines);
    }
    if (lines.length > limit) lines.length = limit;
    return withMarker(lines, marker && marker.seq > after && marker.seq < before ? marker : undefined, options.limit, 'start');
  }

  /**
   * Seqs of the visible lines after `options.after` whose text contains `query` (case-insensitive,
   * after lower-casing both), chunk by chunk until `limit` hits or `budgetMs` have passed.
   */
  search(exec: number, quota: QuotaState, query: string, options: SearchReportsOptions): SearchResult {
    const started = performance.now();
    const needle = query.toLowerCase();
    const after = options.after ?? -1;
    const hits: number[] = [];
    let scannedTo = after;
    for (const chunk of this.#chunksFrom(exec, after)) {
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
  }

  /** Chunks holding seqs greater than `after`, in seq order (from the one containing after + 1). */
  #chunksFrom(exec: number, after: number): IterableIterator<ReportChunk> {
    const start = (this.#containing.get(exec, after + 1) as ReportChunk | undefined)?.first_seq ?? 0;
    return this.#from.iterate(exec, start) as IterableIterator<ReportChunk>;
  }

  /** Capture time of the stored line `seq` (the first line kept after the quota gap). */
  #tsAt(exec: number, seq: number): number {
    const chunk = this.#containing.get(exec, seq) as ReportChunk | undefined;
    const found: ReportLine[] = [];
    if (chunk) decodeChunk(chunk, (s) => s === seq, found);
    return found[0]?.ts ?? 0;
  }
}
