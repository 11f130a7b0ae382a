import { Readable } from 'node:stream';
import { toExecutionJson, toSessionJson, type ExecutionJson } from '../../protocol/json.js';
import { executionParams, MAX_PAGE, pointsQuery, searchQuery, sessionParams } from '../../protocol/queries.js';
import type { Execution, MetricSummary } from '../../protocol/types.js';
import type { SeriesJson } from '../../protocol/responses.js';
import type { Store } from '../../store/store.js';
import { readableExecution, readableSession } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { readRoute, replies, type ApiInstance } from '../api/schema.js';
import { expiresAt } from './sessions.js';

/** How long one search may scan before it answers with what it found (ms). */
export const SEARCH_BUDGET_MS = 2000;

/** An execution with the summary of each metric (last, min, max, count; NaN as null in JSON). */
export type ExecutionSummaryJson = ExecutionJson & { metrics: Record<string, MetricSummary> };

/**
 * The reads the web pages need (docs/api.md "Endpoints for pages"), each readable by anyone
 * holding the id: a session with its executions' summaries, downsampled metric points, text
 * search in the lines, and the raw log.
 */
export function pageReadRoutes(app: ApiInstance, ctx: ServerContext): void {
  readRoute(
    app,
    '/sessions/:id/summary',
    { tags: ['pages'], summary: "A session with each execution's metric summaries", params: sessionParams },
    async (request) => {
      const session = await readableSession(ctx, request.params.id);
      const executions = await ctx.store.listExecutions(session.id);
      const summaries = await summarize(ctx.store, executions);
      return { session: { ...toSessionJson(session), expiresAt: expiresAt(session, executions, ctx.options.retentionMs) }, executions: summaries };
    },
  );

  readRoute(
    app,
    '/executions/:id/points',
    {
      tags: ['pages'],
      summary: 'Metric series as parallel columns, optionally downsampled (min/max per bucket)',
      params: executionParams,
      querystring: pointsQuery,
    },
    async (request) => {
      const execution = await readableExecution(ctx, request.params.id);
      const { query } = request;
      const keys = query.keys ?? Object.keys(await ctx.store.metricSummary(execution.id));
      const series: Record<string, SeriesJson> = {};
      for (const key of keys) series[key] = await ctx.store.metricSeries(execution.id, key, query);
      return { series };
    },
  );

  readRoute(
    app,
    '/executions/:id/search',
    {
      tags: ['pages'],
      summary: 'Seqs of the lines containing a text (bounded scan; continue with `after`)',
      params: executionParams,
      querystring: searchQuery,
    },
    async (request) => {
      const execution = await readableExecution(ctx, request.params.id);
      const { q, after, limit } = request.query;
      return ctx.store.searchReports(execution.id, q, { after, limit, budgetMs: SEARCH_BUDGET_MS });
    },
  );

  app.get(
    '/executions/:id/raw',
    {
      schema: {
        tags: ['pages'],
        summary: 'The stored text as a download, one line per stored line',
        params: executionParams,
        response: replies({ 200: { description: 'The log as text', content: { 'text/plain': { schema: { type: 'string' } } } } }),
      },
    },
    async (request, reply) => {
      const execution = await readableExecution(ctx, request.params.id);
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${execution.id}.log"`)
        .send(Readable.from(rawLines(ctx.store, execution.id)));
    },
  );
}

/** Executions as JSON, each with its metric summary (one store call per execution). */
export async function summarize(store: Store, executions: Execution[]): Promise<ExecutionSummaryJson[]> {
  const out: ExecutionSummaryJson[] = [];
  for (const e of executions) out.push({ ...toExecutionJson(e), metrics: await store.metricSummary(e.id) });
  return out;
}

/** The stored text of an execution, one line per stored line in seq order, read page by page. */
async function* rawLines(store: Store, executionId: string): AsyncGenerator<string> {
  let after = -1;
  for (;;) {
    const lines = await store.readReports(executionId, { after, limit: MAX_PAGE });
    if (lines.length === 0) return;
    after = lines.at(-1)!.seq;
    yield lines.map((l) => (l.partial ? l.text : `${l.text}\n`)).join('');
    if (lines.length < MAX_PAGE) return;
  }
}
