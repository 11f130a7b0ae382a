import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { RESPONSES, type ResponseBody } from '../../protocol/responses.js';
import { authHook } from '../auth/hook.js';
import type { ServerContext } from '../context.js';
import { installErrorHandlers } from '../errors.js';
import { rateLimitHook } from '../rate-limit.js';
import { replies } from './schema.js';
import { executionRoutes } from '../routes/executions.js';
import { notifyRoutes } from '../routes/notify.js';
import { pageReadRoutes } from '../routes/page-reads.js';
import { reportRoutes } from '../routes/reports.js';
import { sessionRoutes } from '../routes/sessions.js';
import { userRoutes } from '../routes/users.js';
import type { InflightWrites } from '../ws/live.js';
import { socketRoutes } from '../ws/routes.js';

/** Options of {@link apiPlugin}. */
export interface ApiPluginOptions {
  ctx: ServerContext;
  /** Writes of stream sockets still running, flushed on close. */
  inflight: InflightWrites;
}

/**
 * The REST API and its WebSockets (docs/api.md), registered with `prefix: '/api/v1'`. Everything
 * here is scoped to the plugin (fastify encapsulation): the rate limit and the credential check (`config.auth`) as `onRequest` hooks, JSON-only bodies, and
 * JSON error and not-found handlers. `GET /openapi.json` answers the document generated from the
 * route schemas (docs/openapi.json).
 */
export async function apiPlugin(app: FastifyInstance, { ctx, inflight }: ApiPluginOptions): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  installErrorHandlers(api, ctx.logFault);
  // only JSON bodies: text/plain would otherwise reach the schemas as a string (415 instead)
  api.removeContentTypeParser('text/plain');
  api.addHook('onRequest', rateLimitHook(ctx));
  api.addHook('onRequest', authHook(ctx));

  userRoutes(api, ctx);
  sessionRoutes(api, ctx);
  executionRoutes(api, ctx);
  reportRoutes(api, ctx);
  pageReadRoutes(api, ctx);
  notifyRoutes(api, ctx);
  socketRoutes(api, ctx, inflight);
  api.get(
    '/openapi.json',
    {
      schema: {
        tags: ['docs'],
        summary: 'This OpenAPI 3.1 document (also docs/openapi.json); the reference page built from it is at /api/docs',
        response: replies({ 200: RESPONSES['GET /api/v1/openapi.json'] }),
      },
    },
    async () => (await api.openApiDocument()) as ResponseBody<'GET /api/v1/openapi.json'>,
  );
}
