import type { Execution, NewMetricPoint, Outcome, ReportLine } from '../protocol/types.js';
import type { ServerContext } from './context.js';
import { checkLines } from './limits.js';

/**
 * The one write path shared by REST and the stream socket: checks the batch's limits, stores it
 * (idempotent by seq), counts it as contact and tells followers. Returns the highest contiguous
 * seq stored (-1 when none). Throws TOO_LARGE before storing anything of an oversized batch.
 * `touch: false` skips the heartbeat write (which revives a lost execution) for a caller that
 * touches often enough itself: appendReports already records lastSeenAt.
 */
export async function ingest(ctx: ServerContext, executionId: string, lines: ReportLine[], { touch = true } = {}): Promise<number> {
  checkLines(lines, ctx.options);
  const { lastSeq, added } = await ctx.store.appendReports(executionId, lines);
  if (touch) await ctx.store.touchExecution(executionId, ctx.clock());
  if (added > 0) ctx.bus.reportsStored(executionId);
  return lastSeq;
}

/** Stores explicit metric points (a `metrics` frame) and tells followers. */
export async function ingestMetrics(ctx: ServerContext, executionId: string, points: NewMetricPoint[]): Promise<void> {
  await ctx.store.appendMetrics(executionId, points);
  if (points.length > 0) ctx.bus.reportsStored(executionId);
}

/** Records the wrapper's outcome (its truth wins over `lost contact`) and tells followers. */
export async function finish(ctx: ServerContext, executionId: string, outcome: Outcome): Promise<Execution> {
  const execution = await ctx.store.finishExecution(executionId, outcome);
  ctx.bus.executionChanged(execution);
  return execution;
}
