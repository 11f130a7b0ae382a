import type { FastifyInstance } from 'fastify';
import { toExecutionJson } from '../../protocol/json.js';
import { appendReportsBody, finishBody } from '../../protocol/messages.js';
import { ownedExecution, requireClaim } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { parseWith } from '../errors.js';
import { ingest, finish } from '../ingest.js';

type IdParams = { Params: { id: string } };

/** Batch upload and finish over REST (used by `sync` and clients without WebSocket), owner's claim key. */
export function registerReportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<IdParams>('/api/v1/executions/:id/reports', async (request) => {
    const claim = requireClaim(ctx, request.headers.authorization);
    const execution = await ownedExecution(ctx, request.params.id, claim);
    const body = parseWith(appendReportsBody, request.body, 'report batch');
    return { lastSeq: await ingest(ctx, execution.id, body.lines) };
  });

  app.post<IdParams>('/api/v1/executions/:id/finish', async (request) => {
    const claim = requireClaim(ctx, request.headers.authorization);
    const execution = await ownedExecution(ctx, request.params.id, claim);
    const body = parseWith(finishBody, request.body, 'finish');
    return { execution: toExecutionJson(await finish(ctx, execution.id, body.outcome)) };
  });
}
