import type { FastifyInstance, FastifyReply } from 'fastify';
import { isExecTrackError } from '../errors.js';
import { isId } from '../protocol/ids.js';
import type { ServerContext } from '../server/context.js';
import { toApiError } from '../server/errors.js';
import { rateLimitHook } from '../server/rate-limit.js';
import { summarize } from '../server/routes/page-reads.js';
import { loadAssets, type Asset } from './assets.js';
import { executionPage } from './pages/execution.js';
import { homePage, pathOfId } from './pages/home.js';
import { notFoundPage } from './pages/not-found.js';
import { rateLimitedPage } from './pages/rate-limited.js';
import { unavailablePage } from './pages/unavailable.js';
import { sessionPage } from './pages/session.js';

/** Options of {@link webPlugin}. */
export interface WebPluginOptions {
  ctx: ServerContext;
}

/** Lines rendered into an execution page (the script then reads the rest by range). */
export const PAGE_TAIL = 200;

/** No script from anywhere but this server, nothing inline, no frames, no third parties (issue 11 point 7). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The web report (issue 11): `/`, `/s/<id>`, `/e/<id>` rendered on the server, the built assets
 * under /assets/ (read on the first request for one), and /robots.txt. Encapsulated: its headers hook covers only these routes. The
 * pages read data through the API routes (docs/api.md), so a page load costs a handful of counted
 * requests; assets are not counted.
 */
export async function webPlugin(app: FastifyInstance, options: WebPluginOptions): Promise<void> {
  // read on the first asset request: an idle server does not hold the bundle and its map (issue 10, B8)
  let assets: Map<string, Asset> | undefined;

  app.addHook('onSend', async (_request, reply) => pageHeaders(reply));

  app.get('/robots.txt', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('User-agent: *\nDisallow: /\n'));
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    assets ??= loadAssets();
    const asset = assets.get(request.params.name);
    if (!asset) return sendHtml(reply, 404, notFoundPage());
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
  await app.register(pages, options);
}

/**
 * The pages, counted against the per-IP rate limit like API requests (the assets above are not).
 * Over the limit a page gets an HTML 429 page (with `Retry-After`) instead of the API's JSON body;
 * any other error goes on to the root's JSON handler.
 */
async function pages(app: FastifyInstance, { ctx }: WebPluginOptions): Promise<void> {
  app.addHook('onRequest', rateLimitHook(ctx));
  app.setErrorHandler(async (error, _request, reply) => {
    if (isExecTrackError(error) && error.code === 'RATE_LIMITED' && error.retryAfter !== undefined) {
      return sendHtml(reply.header('retry-after', String(error.retryAfter)), 429, rateLimitedPage(error.retryAfter));
    }
    // a page the server cannot build (its database is down): an HTML page with the status, logged like the API's faults
    const fault = toApiError(error);
    if (fault.statusCode < 500) throw error;
    ctx.logFault(fault, 'internal error on a page');
    if (fault.retryAfter !== undefined) void reply.header('retry-after', String(fault.retryAfter));
    return sendHtml(reply, fault.statusCode, unavailablePage(fault.retryAfter));
  });
  app.get('/', async (_request, reply) => sendHtml(reply, 200, homePage()));
  app.get<{ Querystring: { id?: string } }>('/go', async (request, reply) => {
    const path = pathOfId(String(request.query.id ?? ''));
    return path ? reply.redirect(path, 303) : sendHtml(reply, 404, notFoundPage());
  });

  app.get<{ Params: { id: string } }>('/s/:id', async (request, reply) => {
    const id = request.params.id;
    const session = isId('s', id) ? await ctx.store.getSession(id) : undefined;
    if (!session) return sendHtml(reply, 404, notFoundPage());
    return sendHtml(reply, 200, sessionPage(session, await summarize(ctx.store, await ctx.store.listExecutions(id))));
  });

  app.get<{ Params: { id: string } }>('/e/:id', async (request, reply) => {
    const id = request.params.id;
    const execution = isId('e', id) ? await ctx.store.getExecution(id) : undefined;
    if (!execution) return sendHtml(reply, 404, notFoundPage());
    const [metrics, tail, extent] = await Promise.all([ctx.store.metricSummary(id), ctx.store.readReports(id, { tail: PAGE_TAIL }), ctx.store.logExtent(id)]);
    return sendHtml(reply, 200, executionPage({ execution, metrics, tail, extent, now: ctx.clock() }));
  });
}

/** The headers of every page (issue 11 point 7): no referrer, no index, the strict CSP, not kept. */
function pageHeaders(reply: FastifyReply): void {
  void reply.header('referrer-policy', 'no-referrer');
  void reply.header('x-robots-tag', 'noindex, nofollow');
  void reply.header('x-content-type-options', 'nosniff');
  void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  // pages carry ids and must not be kept; an asset sets its own caching
  if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'private, no-store');
}

/**
 * The not-found page with the pages' headers, for a request the router could not even read (a URL
 * with invalid percent-encoding such as `/s/%ff`): it never reaches this plugin's hooks.
 */
export function sendNotFoundPage(reply: FastifyReply): FastifyReply {
  pageHeaders(reply);
  return sendHtml(reply, 404, notFoundPage());
}

function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}
