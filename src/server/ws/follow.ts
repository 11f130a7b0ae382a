import type { WebSocket } from 'ws';
import { toExecutionJson, toPointJson, toReportJson } from '../../protocol/json.js';
import type { Execution } from '../../protocol/types.js';
import type { ServerContext } from '../context.js';
import { CLOSE, sendFrame } from './frames.js';

/** Where a follow socket's backlog starts: after these seqs of lines and of metric points (-1: from the start). */
export interface FollowResume {
  lines: number;
  /** May pass `lines`: resource samples and explicit points take seqs of their own, between lines. */
  points: number;
}

/**
 * A reader following one execution (docs/api.md "Follow socket"): the execution, the backlog in
 * batches of `followBatch` lines, then live lines, metric points and state changes until the
 * execution has ended (final `execution` frame, close 1000). Lines are always read back from the
 * store, so a follower sees exactly what was stored and a slow follower costs no server memory.
 * `resume` (a follower that reconnects) skips the lines and the metric points it already has.
 */
export function handleFollow(ctx: ServerContext, ws: WebSocket, first: Execution, resume: FollowResume = { lines: -1, points: -1 }): void {
  let sentSeq = resume.lines;
  let sentMetricSeq = resume.points;
  let pumping = false;
  let again = false;
  let final: Execution | undefined;

  const unsubscribe = ctx.bus.subscribe(first.id, {
    reports: () => void pump(),
    state: (execution) => {
      if (execution.state !== 'Running') final = execution;
      else void sendFrame(ws, { type: 'execution', execution: toExecutionJson(execution) });
      void pump();
    },
  });
  ws.on('close', unsubscribe);

  void sendFrame(ws, { type: 'execution', execution: toExecutionJson(first) }).then(() => {
    if (first.state !== 'Running') final = first;
    return pump();
  });

  /** Sends everything stored since the last call; concurrent calls fold into one more round. */
  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        // read before the lines: every line up to it is stored, so it is sent before points up to it
        const stored = await ctx.store.lastSeq(first.id);
        await sendNewLines();
        await sendNewPoints(Math.max(sentSeq, stored));
      } while (again && ws.readyState === ws.OPEN);
      if (final && ws.readyState === ws.OPEN) {
        await sendFrame(ws, { type: 'execution', execution: toExecutionJson(final) });
        ws.close(CLOSE.normal, 'execution ended');
      }
    } catch (error) {
      ctx.log(`exec-track: internal error on a follow socket: ${error instanceof Error ? error.stack : 'unknown'}`);
      if (ws.readyState === ws.OPEN) ws.close(CLOSE.internal, 'INTERNAL');
    } finally {
      pumping = false;
    }
  }

  async function sendNewLines(): Promise<void> {
    for (;;) {
      if (ws.readyState !== ws.OPEN) return;
      const lines = await ctx.store.readReports(first.id, { after: sentSeq, limit: ctx.options.followBatch });
      if (lines.length === 0) return;
      sentSeq = lines.at(-1)!.seq;
      await sendFrame(ws, { type: 'reports', reports: lines.map(toReportJson) });
    }
  }

  /**
   * Points up to `upTo`: those of the lines sent, and points records without a line (resource samples,
   * a client's explicit points), which would otherwise wait for the next line.
   */
  async function sendNewPoints(upTo: number): Promise<void> {
    if (upTo <= sentMetricSeq) return;
    const points = (await ctx.store.metricPoints(first.id, undefined, { afterSeq: sentMetricSeq })).filter((p) => p.seq <= upTo);
    sentMetricSeq = upTo;
    for (let i = 0; i < points.length; i += ctx.options.followBatch) {
      if (ws.readyState !== ws.OPEN) return;
      await sendFrame(ws, { type: 'metrics', points: points.slice(i, i + ctx.options.followBatch).map(toPointJson) });
    }
  }
}
