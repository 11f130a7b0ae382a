import type { Execution, Outcome, ReportLine } from '../protocol/types.js';
import type { ServerContext } from './context.js';
import { checkLines } from './limits.js';
import { checkLineTimes, checkOutcomeTime } from './time-window.js';

/**
 * The one write path shared by REST and the stream socket: checks the batch's limits, stores it
 * (idempotent by seq), counts it as contact and tells followers. Returns the highest contiguous
 * seq stored (-1 when none). Throws TOO_LARGE before storing anything of an oversized batch, and
 * BAD_REQUEST for a capture time outside the server's time window (src/server/time-window.ts).
 * `touch: false` skips the heartbeat write (which revives a lost execution) for a caller that
 * touches often enough itself: appendReports already records lastSeenAt.
 */
export async function ingest(ctx: ServerContext, executionId: string, lines: ReportLine[], { touch = true } = {}): Promise<number> {
  checkBatch(ctx, lines);
  const { lastSeq, added } = await ctx.store.appendReports(executionId, lines);
  if (touch) await ctx.store.touchExecution(executionId, ctx.clock());
  if (added > 0) ctx.bus.reportsStored(executionId, lastSeq);
  return lastSeq;
}

/** The checks {@link ingest} makes before storing anything of `lines`: TOO_LARGE, BAD_REQUEST (capture time). */
export function checkBatch(ctx: ServerContext, lines: ReportLine[]): void {
  checkLines(lines, ctx.options);
  checkLineTimes(lines, ctx.clock());
}

/**
 * Records the wrapper's outcome (its truth wins over `lost contact`) and tells followers.
 * Throws BAD_REQUEST for an `endedAt` outside the server's time window.
 */
export async function finish(ctx: ServerContext, executionId: string, outcome: Outcome): Promise<Execution> {
  checkOutcomeTime(outcome, ctx.clock());
  const execution = await ctx.store.finishExecution(executionId, outcome);
  ctx.bus.executionChanged(execution);
  return execution;
}
