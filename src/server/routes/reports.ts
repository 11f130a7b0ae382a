import { toExecutionJson } from '../../protocol/json.js';
import { appendReportsBody, finishBody } from '../../protocol/messages.js';
import { executionParams } from '../../protocol/queries.js';
import { RESPONSES } from '../../protocol/responses.js';
import { preload } from '../api/preload.js';
import { replies, type ApiInstance } from '../api/schema.js';
import { ownedExecution } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { ingest, finish } from '../ingest.js';

/** Batch upload and finish over REST (used by `sync` and clients without WebSocket), owner's claim key. */
export function reportRoutes(app: ApiInstance, ctx: ServerContext): void {
  const owned = preload((request) => ownedExecution(ctx, request.params.id, request.claim), 'claim');
  app.post(
    '/executions/:id/reports',
    {
      ...owned.route,
      schema: {
        tags: ['executions'],
        summary: 'Append a batch of lines (idempotent by seq); answers the highest contiguous seq stored',
        params: executionParams,
        body: appendReportsBody,
        response: replies({ 200: RESPONSES['POST /api/v1/executions/:id/reports'] }),
      },
    },
    async (request) => {
      return { lastSeq: await ingest(ctx, owned.of(request).id, request.body.lines) };
    },
  );

  app.post(
    '/executions/:id/finish',
    {
      ...owned.route,
      schema: {
        tags: ['executions'],
        summary: 'Store the final state (idempotent)',
        params: executionParams,
        body: finishBody,
        response: replies({ 200: RESPONSES['POST /api/v1/executions/:id/finish'] }),
      },
    },
    async (request) => {
      return { execution: toExecutionJson(await finish(ctx, owned.of(request).id, request.body.outcome)) };
    },
  );
}
