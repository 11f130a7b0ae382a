import { toExecutionJson, toPointJson, toReportJson } from '../../protocol/json.js';
import { newId } from '../../protocol/ids.js';
import { createMetricParser } from '../../metrics/parse.js';
import { createExecutionBody } from '../../protocol/messages.js';
import { executionParams, metricsQuery, reportsQuery, sessionParams } from '../../protocol/queries.js';
import { RESPONSES } from '../../protocol/responses.js';
import { preload } from '../api/preload.js';
import { readRoute, replies, type ApiInstance } from '../api/schema.js';
import { ownedSession, readableExecution } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { limitExceeded } from '../limits.js';
import { checkTime } from '../time-window.js';
import { isOwnResend } from './resend.js';

/** Execution routes of docs/api.md: create (owner's claim) and the reads (anyone holding the id). */
export function executionRoutes(app: ApiInstance, ctx: ServerContext): void {
  const created = RESPONSES['POST /api/v1/sessions/:id/executions'];
  const owned = preload((request) => ownedSession(ctx, request.params.id, request.claim), 'claim');
  app.post(
    '/sessions/:id/executions',
    {
      ...owned.route,
      schema: {
        tags: ['executions'],
        summary: 'Start an execution in your session (201), or get your own with that id (200)',
        params: sessionParams,
        body: createExecutionBody,
        response: replies({ 200: created, 201: created }),
      },
    },
    async (request, reply) => {
      const { body } = request;
      const session = owned.of(request);
      // refuse a bad or non-linear metrics pattern now (400), not on every batch at ingest
      createMetricParser(body.metrics);
      checkTime(body.startedAt, 'startedAt', ctx.clock());
      const existing = body.id ? await ctx.store.getExecution(body.id) : undefined;
      if (isOwnResend('execution', existing, existing?.sessionId === session.id)) return reply.code(200).send({ execution: toExecutionJson(existing) });
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
    },
  );

  readRoute(
    app,
    '/executions/:id',
    { tags: ['executions'], summary: 'An execution and the summary of each metric', params: executionParams },
    async (request) => {
      const execution = await readableExecution(ctx, request.params.id);
      return { execution: toExecutionJson(execution), metrics: await ctx.store.metricSummary(execution.id) };
    },
  );

  readRoute(
    app,
    '/executions/:id/reports',
    {
      tags: ['executions'],
      summary: 'Stored lines in seq order: a page after/before a seq, or the last `tail` lines',
      params: executionParams,
      querystring: reportsQuery,
    },
    async (request) => {
      const execution = await readableExecution(ctx, request.params.id);
      const { query } = request;
      const lines = await ctx.store.readReports(
        execution.id,
        query.tail ? { tail: query.tail } : { after: query.after, before: query.before, limit: query.limit },
      );
      return { reports: lines.map(toReportJson) };
    },
  );

  readRoute(
    app,
    '/executions/:id/metrics',
    { tags: ['executions'], summary: 'Metric summaries and every point (of one key, or all)', params: executionParams, querystring: metricsQuery },
    async (request) => {
      const execution = await readableExecution(ctx, request.params.id);
      const { key } = request.query;
      const [metrics, points] = await Promise.all([ctx.store.metricSummary(execution.id), ctx.store.metricPoints(execution.id, key)]);
      return { metrics: key ? pick(metrics, key) : metrics, points: points.map(toPointJson) };
    },
  );
}

function pick<T>(record: Record<string, T>, key: string): Record<string, T> {
  return key in record ? { [key]: record[key]! } : {};
}
