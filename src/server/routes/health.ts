import type { FastifyInstance } from 'fastify';
import { ExecTrackError } from '../../errors.js';
import { RESPONSES } from '../../protocol/responses.js';
import { replies } from '../api/schema.js';
import type { ServerContext } from '../context.js';

/** Seconds a prober is told to wait (`Retry-After`) before asking again while the database does not answer. */
const NOT_READY_RETRY_S = 5;

/**
 * `GET /healthz` (liveness: the process answers, whatever its database does — a restart would not
 * help an outage) and `GET /readyz` (readiness: the database answers a trivial query; 503 with
 * `Retry-After` when not, so a load balancer sends requests to another instance). Outside the API
 * plugin: not rate limited, no credentials (docs/deploy.md).
 */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness: the process answers (whatever the database does)', response: { 200: RESPONSES['GET /healthz'] } } },
    async () => ({
      ok: true as const,
    }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers; 503 with Retry-After when it does not',
        response: replies({ 200: RESPONSES['GET /readyz'] }),
      },
    },
    async () => {
      try {
        await ctx.store.ping();
      } catch (cause) {
        throw new ExecTrackError('STORE_ERROR', 'The server cannot reach its database; send requests to another instance, or retry shortly.', {
          cause,
          statusCode: 503,
          retryAfter: NOT_READY_RETRY_S,
        });
      }
      return { ok: true as const };
    },
  );
}
