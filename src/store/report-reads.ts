import type { ReportLine } from '../protocol/types.js';
import { isKept, quotaMarker, type QuotaState } from './ingest.js';
import { decodeChunk, withMarker, type ReportChunk } from './report-chunks.js';
import type { ReadReportsOptions, SearchReportsOptions, SearchResult } from './store.js';

/**
 * A read of stored lines that consumes `report_chunks` rows one at a time, the same for every
 * engine: the engine walks its chunks (an index walk, never a scan) and hands each to
 * {@link ChunkReader.take} until it answers false, then asks for {@link ChunkReader.result}.
 * {@link feed} and {@link feedAsync} do exactly that. A reader does no I/O itself, so an engine's
 * read stays synchronous where the engine is (better-sqlite3: no other statement may run on the
 * connection while an iterator is open, so no `await` may sit between its chunks).
 */
export interface ChunkReader<T> {
  /** Takes the next chunk; false when no further chunk can change the result (stop walking). */
  take(chunk: ReportChunk): boolean;
  result(): T;
}

/** Feeds `chunks` to `reader` until it has enough; closes the iterator early (`return()`) when it stops. */
export function feed<T>(reader: ChunkReader<T>, chunks: Iterable<ReportChunk>): T {
  for (const chunk of chunks) if (!reader.take(chunk)) break;
  return reader.result();
}

/** {@link feed} for chunks fetched asynchronously (a page per round trip). */
export async function feedAsync<T>(reader: ChunkReader<T>, chunks: AsyncIterable<ReportChunk>): Promise<T> {
  for await (const chunk of chunks) if (!reader.take(chunk)) break;
  return reader.result();
}

/**
 * The seq whose capture time the quota marker shows (the first line kept after the gap, see
 * {@link quotaMarker}), or undefined when the quota dropped nothing. The engine looks up the chunk
 * holding it (first_seq ≤ seq, the last such) and passes it to {@link LineReader}.
 */
export function gapEnd(quota: QuotaState): number | undefined {
  return quota.dropped > 0 ? quota.head + quota.dropped : undefined;
}

/**
 * Lines in seq order per {@link ReadReportsOptions}, with the line quota's gap shown as one marker
 * line; lines of a chunk that the quota dropped later are hidden. The engine walks chunks
 * backwards from the last one when {@link LineReader.backwards} is true (a `tail` read), else
 * forwards from the chunk holding seq {@link LineReader.after} + 1.
 */
export class LineReader implements ChunkReader<ReportLine[]> {
  /** True for a `tail` read: chunks from the last one backwards. */
  readonly backwards: boolean;
  /** Forwards reads: only lines with a greater seq (-1: from the start). */
  readonly after: number;
  readonly #quota: QuotaState;
  readonly #options: ReadReportsOptions;
  readonly #marker: ReportLine | undefined;
  /** Tail reads: decoded chunks, last chunk first. */
  readonly #chunks: ReportLine[][] = [];
  #count = 0;
  /** Forwards reads: lines so far, in seq order. */
  readonly #lines: ReportLine[] = [];
  readonly #before: number;
  readonly #limit: number;

  /**
   * `gapChunk`: the chunk holding the first line at or after {@link gapEnd}`(quota)` when that is
   * defined (that seq may be a points record, which no chunk holds); undefined when there is none: the
   * marker's time is then 0.
   */
  constructor(quota: QuotaState, options: ReadReportsOptions, gapChunk: ReportChunk | undefined) {
    this.#quota = quota;
    this.#options = options;
    const end = gapEnd(quota);
    this.#marker = end === undefined ? undefined : quotaMarker(quota, tsOf(gapChunk, end));
    this.backwards = options.tail !== undefined;
    this.after = options.after ?? -1;
    this.#before = options.before ?? Infinity;
    this.#limit = options.tail !== undefined ? Math.max(0, options.tail) : options.limit === undefined ? Infinity : Math.max(0, options.limit);
  }

  take(chunk: ReportChunk): boolean {
    const visible = (seq: number) => isKept(seq, this.#quota);
    if (this.backwards) {
      if (this.#count >= this.#limit) return false;
      const decoded: ReportLine[] = [];
      decodeChunk(chunk, visible, decoded);
      this.#chunks.push(decoded);
      this.#count += decoded.length;
      return this.#count < this.#limit;
    }
    const lines = this.#lines;
    if (lines.length >= this.#limit || chunk.first_seq >= this.#before) return false;
    decodeChunk(chunk, (seq) => seq > this.after && seq < this.#before && visible(seq), lines);
    return lines.length < this.#limit;
  }

  result(): ReportLine[] {
    const marker = this.#marker;
    if (this.backwards) {
      const n = this.#limit;
      const ordered = this.#chunks.reverse().flat();
      return withMarker(ordered.slice(Math.max(0, ordered.length - n)), marker, n, 'end');
    }
    const lines = this.#lines;
    if (lines.length > this.#limit) lines.length = this.#limit;
    return withMarker(lines, marker && marker.seq > this.after && marker.seq < this.#before ? marker : undefined, this.#options.limit, 'start');
  }
}

/**
 * Seqs of the visible lines after `options.after` whose text contains `query` (case-insensitive,
 * after lower-casing both), chunk by chunk until `limit` hits or `budgetMs` have passed (counted
 * from construction, checked between chunks). Walks forwards from the chunk holding seq
 * {@link SearchReader.after} + 1.
 */
export class SearchReader implements ChunkReader<SearchResult> {
  /** Only lines with a greater seq (-1: from the start). */
  readonly after: number;
  readonly #started = performance.now();
  readonly #quota: QuotaState;
  readonly #needle: string;
  readonly #options: SearchReportsOptions;
  readonly #hits: number[] = [];
  #scannedTo: number;
  #complete = true;

  constructor(quota: QuotaState, query: string, options: SearchReportsOptions) {
    this.#quota = quota;
    this.#needle = query.toLowerCase();
    this.#options = options;
    this.after = options.after ?? -1;
    this.#scannedTo = this.after;
  }

  take(chunk: ReportChunk): boolean {
    const { limit, budgetMs } = this.#options;
    if (this.#hits.length >= limit || performance.now() - this.#started > budgetMs) return this.#stop();
    const lines: ReportLine[] = [];
    decodeChunk(chunk, (seq) => seq > this.after && isKept(seq, this.#quota), lines);
    for (const line of lines) {
      if (this.#hits.length >= limit) return this.#stop();
      if (line.text.toLowerCase().includes(this.#needle)) this.#hits.push(line.seq);
      this.#scannedTo = line.seq;
    }
    this.#scannedTo = Math.max(this.#scannedTo, chunk.last_seq);
    return true;
  }

  result(): SearchResult {
    return { hits: this.#hits, scannedTo: this.#scannedTo, complete: this.#complete };
  }

  #stop(): false {
    this.#complete = false;
    return false;
  }
}

/** Capture time of line `seq` in `chunk` (0 when the chunk is missing or does not hold it). */
/** The capture time of the first line of `chunk` at or after `seq` (0 when there is none). */
function tsOf(chunk: ReportChunk | undefined, seq: number): number {
  const found: ReportLine[] = [];
  if (chunk) decodeChunk(chunk, (s) => s >= seq, found);
  return found.length === 0 ? 0 : found.reduce((first, line) => (line.seq < first.seq ? line : first)).ts;
}
