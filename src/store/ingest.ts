import type { ReportLine } from '../protocol/types.js';

/**
 * The lines of a batch that extend the stored run 0..lastSeq without a gap, in seq order.
 * Resends (seq ≤ lastSeq, or twice in the batch) are skipped; everything after a gap is left out,
 * so the client resends it after the ack (DESIGN §7: the ack is the highest contiguous seq).
 */
export function contiguousNew(lines: readonly ReportLine[], lastSeq: number): ReportLine[] {
  let ordered = true;
  for (let i = 1; i < lines.length && ordered; i++) ordered = lines[i - 1]!.seq < lines[i]!.seq;
  const candidates = ordered ? lines : [...lines].sort((a, b) => a.seq - b.seq);
  const taken: ReportLine[] = [];
  let next = lastSeq + 1;
  for (const line of candidates) {
    if (line.seq < next) continue;
    if (line.seq > next) break;
    taken.push(line);
    next++;
  }
  return taken;
}

/**
 * The line quota (issue 3 point 7): of the received lines 0..lastSeq, the first `head` =
 * ⌊quota/2⌋ are kept, then seqs head .. head+dropped−1 are dropped, and the last quota−head lines
 * roll. Since received seqs are contiguous, the state is just the `dropped` count.
 */
export interface QuotaState {
  /** Seqs below this are the kept head. */
  head: number;
  /** How many seqs from `head` on are dropped. */
  dropped: number;
}

/** The quota state once lines up to `lastSeq` have been received. */
export function quotaAfter(quota: number, lastSeq: number): QuotaState {
  return { head: Math.floor(quota / 2), dropped: Math.max(0, lastSeq + 1 - quota) };
}

/** True when the line with `seq` is stored under `state`. */
export function isKept(seq: number, state: QuotaState): boolean {
  return seq < state.head || seq >= state.head + state.dropped;
}

/**
 * The line that `readReports` shows in place of the dropped ones: on stderr, at the first
 * dropped seq, with the capture time of the first line kept after the gap. Documented in
 * docs/metrics.md ("Line quota").
 */
export function quotaMarker(state: QuotaState, ts: number): ReportLine {
  return { seq: state.head, ts, stream: 'stderr', text: `[exec-track: ${state.dropped} lines dropped by the line quota]` };
}

/** What one ingest batch changes, worked out from the execution's row before it (see {@link batchPlan}). */
export interface BatchPlan {
  /** The lines (and points records) that extend the stored run ({@link contiguousNew}). */
  fresh: ReportLine[];
  /** `fresh` without the points records (issue 12): they take a seq but are no line, only their points are stored. */
  textLines: ReportLine[];
  /** The new highest contiguous seq. */
  lastSeq: number;
  /** The quota state before and after the batch. */
  before: QuotaState;
  after: QuotaState;
  /** Stored lines after the batch: the text lines added less the lines the quota dropped. */
  lineCount: number;
}

/** The {@link BatchPlan} of `lines` for an execution stored up to `row.last_seq` (every engine's ingest step, DESIGN §5, §7). */
export function batchPlan(lines: readonly ReportLine[], row: { last_seq: number; line_count: number; line_quota: number }): BatchPlan {
  const fresh = contiguousNew(lines, row.last_seq);
  const lastSeq = row.last_seq + fresh.length;
  const before = quotaAfter(row.line_quota, row.last_seq);
  const after = quotaAfter(row.line_quota, lastSeq);
  const textLines = fresh.some((l) => l.points) ? fresh.filter((l) => !l.points) : fresh;
  const lineCount = row.line_count + textLines.length - (after.dropped - before.dropped);
  return { fresh, textLines, lastSeq, before, after, lineCount };
}
