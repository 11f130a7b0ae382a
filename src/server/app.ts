import { systemClock } from '../clock.js';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Store } from '../store/store.js';
import { ClaimKeys } from './auth/claims.js';
import type { ServerContext, ServerLog } from './context.js';
import { bodyTooLarge, faultLogger, installErrorHandlers, isPagePath, unknownEndpoint } from './errors.js';
import { InProcessEventBus } from './events.js';
import { GhostSweeper } from './heartbeat.js';
import { Notifier } from '../notify/notifier.js';
import { DEFAULT_NOTIFY, type NotifyOptions } from '../notify/options.js';
import { resolveOptions, type Clock, type ServerOptions } from './options.js';
import { FixedWindowRateLimiter } from './rate-limit.js';
import { RetentionJob } from './retention.js';
import { sendNotFoundPage, webPlugin } from '../web/plugin.js';
import { registerOpenApi } from './api/openapi.js';
import { apiPlugin } from './api/plugin.js';
import { jsonSerializerCompiler, zodValidatorCompiler } from './api/schema.js';
import { healthRoutes } from './routes/health.js';
import { startKeepalive } from './ws/keepalive.js';
import { InflightWrites, InProcessLiveStreams } from './ws/live.js';
import { registerWebSockets } from './ws/plugin.js';

/** What {@link buildApp} needs. `clock` and `log` are injectable for tests. */
export interface AppDeps {
  store: Store;
  options?: Partial<ServerOptions>;
  /** ms since epoch UTC; default Date.now. */
  clock?: Clock;
  /** The server's own lines (default: stderr). */
  log?: ServerLog;
  /** State shared with other instances (src/server/shared/; several instances on PostgreSQL); default: in-process. */
  shared?: Partial<Pick<ServerContext, 'bus' | 'limiter'>>;
  /** Notification timing (default DEFAULT_NOTIFY). */
  notify?: NotifyOptions;
}

/** The background jobs of a server, started by {@link startBackground} once it listens. */
export interface ServerServices {
  ctx: ServerContext;
  sweeper: GhostSweeper;
  retention: RetentionJob;
  notifier: Notifier;
  /** Starts the ghost sweeper, retention, notifications (linking pages under `publicUrl`) and the socket keepalive; stopped on close. */
  startBackground: (publicUrl?: string) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    execTrack: ServerServices;
  }
}

/**
 * Builds the exec-track fastify app without listening: the API plugin under `/api/v1` (REST and
 * WebSockets, docs/api.md), the web pages plugin, its reference page at `/api/docs`, and `/healthz`,
 * each with its own hooks; the root's JSON error and not-found handlers answer everything else. It does not listen, so tests can `inject`. The caller owns the store and closes it
 * after `app.close()`; closing the app closes every socket with 1001 and flushes in-flight writes.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const options = resolveOptions(deps.options);
  const clock = deps.clock ?? systemClock;
  const log: ServerLog = deps.log ?? ((line) => process.stderr.write(`${line}\n`));
  const ctx: ServerContext = {
    store: deps.store,
    options,
    clock,
    bus: deps.shared?.bus ?? new InProcessEventBus(),
    claims: await ClaimKeys.open(deps.store, options.claimTtlMs, clock),
    limiter: deps.shared?.limiter ?? new FixedWindowRateLimiter(options.rateLimit, options.rateWindowMs),
    live: new InProcessLiveStreams(),
    log,
    logFault: faultLogger(log),
  };
  // logger off: fastify's request logs would carry IPs, URLs with ids and user agents (issue 4 point 6)
  // maxParamLength: an over-long id must get the same 404 as any unknown id, not the router's 414
  // frameworkErrors: a URL the router cannot decode (`/api/v1/sessions/%ff`) is an unknown id like any
  // other — 404 in the API's JSON shape, or the HTML not-found page — not fastify's own error body
  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes,
    requestTimeout: 60_000,
    routerOptions: { maxParamLength: 16_384 },
    frameworkErrors: (_error, request, reply) => {
      // the typings of this early reply know no status codes; it is an ordinary reply
      const plain = reply as unknown as FastifyReply;
      void (isPagePath(request) ? sendNotFoundPage(plain) : plain.code(404).send(unknownEndpoint()));
    },
  });
  // route schemas are zod schemas from src/protocol/, on every route that declares one
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(jsonSerializerCompiler);
  installErrorHandlers(app, ctx.logFault, sendNotFoundPage);
  refuseOversizedContinue(app, options.maxBodyBytes);
  const inflight = new InflightWrites();
  await registerWebSockets(app, ctx, inflight);
  registerOpenApi(app, ctx.logFault);

  // not rate limited: a monitor or a load balancer may poll them
  healthRoutes(app, ctx);
  await app.register(apiPlugin, { prefix: '/api/v1', ctx, inflight });
  await app.register(webPlugin, { ctx });

  const sweeper = new GhostSweeper(ctx);
  const retention = new RetentionJob(ctx, sweeper);
  const notifier = new Notifier(ctx.store, deps.notify ?? DEFAULT_NOTIFY, { clock, log: ctx.log, base: 'http://127.0.0.1' });
  const stops: Array<() => void> = [];
  app.decorate('execTrack', {
    ctx,
    sweeper,
    retention,
    notifier,
    startBackground: (publicUrl) => {
      sweeper.start();
      retention.start();
      notifier.start(publicUrl);
      stops.push(
        () => sweeper.stop(),
        () => retention.stop(),
        startKeepalive(app.websocketServer, keepaliveInterval(options.heartbeatTimeoutMs)),
      );
    },
  });
  app.addHook('preClose', async () => {
    for (const stop of stops) stop();
    await notifier.stop();
  });
  return app;
}

/** Ping sockets twice per heartbeat timeout (between 1 s and 30 s), so a dead peer is dropped within it. */
function keepaliveInterval(heartbeatTimeoutMs: number): number {
  return Math.min(30_000, Math.max(1000, Math.floor(heartbeatTimeoutMs / 2)));
}

/**
 * `Expect: 100-continue` (RFC 9110 §10.1.1; curl sends it for large bodies): answer a body declared
 * larger than the limit with the 413 JSON error before the client sends it. Node would otherwise send
 * `100 Continue` by itself, and the 413 sent mid-upload is lost when the socket closes under it.
 */
function refuseOversizedContinue(app: FastifyInstance, maxBodyBytes: number): void {
  app.server.on('checkContinue', (request, response) => {
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) {
      const error = bodyTooLarge();
      response.writeHead(error.statusCode, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      response.end(JSON.stringify(error.toJSON()));
      return;
    }
    response.writeContinue();
    app.server.emit('request', request, response);
  });
}
