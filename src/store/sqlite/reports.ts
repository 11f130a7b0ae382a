import type { Statement } from 'better-sqlite3';
import type { ReportLine } from '../../protocol/types.js';
import { isKept, quotaMarker, type QuotaState } from '../ingest.js';
import type { ReadReportsOptions } from '../store.js';
import { BulkInsert } from './bulk-insert.js';
import type { Db } from './connection.js';

interface ReportRow {
  seq: number;
  ts: number;
  flags: number;
  text: string;
  byte_length: number | null;
}

const STDERR = 1;
const PARTIAL = 2;
const TRUNCATED = 4;

function toLine(r: ReportRow): ReportLine {
  const line: ReportLine = { seq: r.seq, ts: r.ts, stream: r.flags & STDERR ? 'stderr' : 'stdout', text: r.text };
  if (r.flags & PARTIAL) line.partial = true;
  if (r.flags & TRUNCATED) {
    line.truncated = true;
    if (r.byte_length !== null) line.byteLength = r.byte_length;
  }
  return line;
}

/** The `reports` table: stored lines in seq order, with the line quota's gap shown as one marker line. */
export class Reports {
  readonly #insert: BulkInsert;
  readonly #dropRange: Statement;
  readonly #after: Statement;
  readonly #afterLimit: Statement;
  readonly #tail: Statement;
  readonly #tsAt: Statement;

  constructor(db: Db) {
    this.#insert = new BulkInsert(db, 'INSERT INTO reports (exec, seq, ts, flags, text, byte_length) VALUES', 6);
    this.#dropRange = db.prepare('DELETE FROM reports WHERE exec = ? AND seq >= ? AND seq < ?');
    this.#after = db.prepare('SELECT seq, ts, flags, text, byte_length FROM reports WHERE exec = ? AND seq > ? ORDER BY seq');
    this.#afterLimit = db.prepare('SELECT seq, ts, flags, text, byte_length FROM reports WHERE exec = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.#tail = db.prepare('SELECT seq, ts, flags, text, byte_length FROM reports WHERE exec = ? ORDER BY seq DESC LIMIT ?');
    this.#tsAt = db.prepare('SELECT ts FROM reports WHERE exec = ? AND seq >= ? ORDER BY seq LIMIT 1');
  }

  /**
   * Stores new contiguous lines under the quota: deletes the lines that moved out of the rolling
   * tail (`before` → `after`) and inserts only the new lines that are kept. Call inside the ingest
   * transaction.
   */
  store(exec: number, lines: readonly ReportLine[], before: QuotaState, after: QuotaState): void {
    if (after.dropped > before.dropped) this.#dropRange.run(exec, after.head + before.dropped, after.head + after.dropped);
    const insert = this.#insert;
    insert.clear();
    for (const l of lines) {
      if (!isKept(l.seq, after)) continue;
      insert.push(exec);
      insert.push(l.seq);
      insert.push(l.ts);
      insert.push((l.stream === 'stderr' ? STDERR : 0) | (l.partial ? PARTIAL : 0) | (l.truncated ? TRUNCATED : 0));
      insert.push(l.text);
      insert.push(l.truncated ? (l.byteLength ?? null) : null);
    }
    insert.flush();
  }

  /** Lines in seq order per {@link ReadReportsOptions}; `tail` reads backwards on the primary key, never scans. */
  read(exec: number, quota: QuotaState, options: ReadReportsOptions = {}): ReportLine[] {
    const marker = quota.dropped > 0 ? quotaMarker(quota, (this.#tsAt.get(exec, quota.head + quota.dropped) as { ts: number }).ts) : undefined;
    if (options.tail !== undefined) {
      const n = Math.max(0, options.tail);
      const lines = (this.#tail.all(exec, n) as ReportRow[]).map(toLine).reverse();
      return withMarker(lines, marker, n, 'end');
    }
    const after = options.after ?? -1;
    const rows = (options.limit === undefined ? this.#after.all(exec, after) : this.#afterLimit.all(exec, after, Math.max(0, options.limit))) as ReportRow[];
    return withMarker(rows.map(toLine), marker && marker.seq > after ? marker : undefined, options.limit, 'start');
  }
}

/** Puts the quota marker at its seq position and keeps `limit` lines from the `keep` side. */
function withMarker(lines: ReportLine[], marker: ReportLine | undefined, limit: number | undefined, keep: 'start' | 'end'): ReportLine[] {
  if (!marker) return lines;
  const at = lines.findIndex((l) => l.seq > marker.seq);
  lines.splice(at === -1 ? lines.length : at, 0, marker);
  if (limit === undefined || lines.length <= limit) return lines;
  return keep === 'start' ? lines.slice(0, limit) : lines.slice(lines.length - limit);
}
