import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ExecTrackError } from '../../errors.js';
import { toExecutionJson, toPointJson, toReportJson } from '../../protocol/json.js';
import { newId } from '../../protocol/ids.js';
import { createMetricParser } from '../../metrics/parse.js';
import { createExecutionBody } from '../../protocol/messages.js';
import { ownedSession, readableExecution, requireClaim } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { parseWith } from '../errors.js';
import { limitExceeded } from '../limits.js';
import { checkTime } from '../time-window.js';

type IdParams = { Params: { id: string } };

/** Most lines one `GET …/reports` returns; page with `after` for more. */
export const MAX_PAGE = 10_000;

const count = z.coerce.number().int().min(1).max(MAX_PAGE);
const reportsQuery = z.object({
  after: z.coerce.number().int().min(-1).optional(),
  before: z.coerce.number().int().min(0).optional(),
  limit: count.default(1000),
  tail: count.optional(),
});
const metricsQuery = z.object({ key: z.string().max(200).optional() });

/** Execution routes of docs/api.md: create (owner's claim) and the reads (anyone holding the id). */
export function registerExecutionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<IdParams>('/api/v1/sessions/:id/executions', async (request, reply) => {
    const claim = requireClaim(ctx, request.headers.authorization);
    const session = await ownedSession(ctx, request.params.id, claim);
    const body = parseWith(createExecutionBody, request.body, 'execution');
    // refuse a bad or non-linear metrics pattern now (400), not on every batch at ingest
    createMetricParser(body.metrics);
    checkTime(body.startedAt, 'startedAt', ctx.clock());
    if (body.id) {
      const existing = await ctx.store.getExecution(body.id);
      if (existing?.sessionId === session.id) return reply.code(200).send({ execution: toExecutionJson(existing) });
      if (existing) throw new ExecTrackError('CONFLICT', 'That execution id is already taken; omit the id to get a fresh one.');
    }
    if ((await ctx.store.countExecutions(session.id)) >= ctx.options.maxExecutionsPerSession) {
      throw limitExceeded('executions per session', ctx.options.maxExecutionsPerSession, '--max-executions-per-session', 'start a new session.');
    }
    const id = body.id ?? newId('e');
    const now = ctx.clock();
    const execution = await ctx.store.createExecution({ ...body, id, sessionId: session.id, receivedAt: now });
    // contact starts now, not at `startedAt`: an execution uploaded late by `sync` is not a ghost yet
    await ctx.store.touchExecution(id, now);
    ctx.bus.executionChanged(execution);
    return reply.code(201).send({ execution: toExecutionJson(execution) });
  });

  app.get<IdParams>('/api/v1/executions/:id', async (request) => {
    const execution = await readableExecution(ctx, request.params.id);
    return { execution: toExecutionJson(execution), metrics: await ctx.store.metricSummary(execution.id) };
  });

  app.get<IdParams>('/api/v1/executions/:id/reports', async (request) => {
    const execution = await readableExecution(ctx, request.params.id);
    const query = parseWith(reportsQuery, request.query, 'query');
    const lines = await ctx.store.readReports(execution.id, query.tail ? { tail: query.tail } : { after: query.after, before: query.before, limit: query.limit });
    return { reports: lines.map(toReportJson) };
  });

  app.get<IdParams>('/api/v1/executions/:id/metrics', async (request) => {
    const execution = await readableExecution(ctx, request.params.id);
    const query = parseWith(metricsQuery, request.query, 'query');
    const [metrics, points] = await Promise.all([ctx.store.metricSummary(execution.id), ctx.store.metricPoints(execution.id, query.key)]);
    return { metrics: query.key ? pick(metrics, query.key) : metrics, points: points.map(toPointJson) };
  });
}

function pick<T>(record: Record<string, T>, key: string): Record<string, T> {
  return key in record ? { [key]: record[key]! } : {};
}
