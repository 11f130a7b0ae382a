import { ExecTrackError } from '../../errors.js';
import { executionParams, followQuery, sessionFollowQuery, sessionParams } from '../../protocol/queries.js';
import { preload, type Preload } from '../api/preload.js';
import { replies, type ApiInstance } from '../api/schema.js';
import { ownedExecution, readableExecution, readableSession } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { handleFollow } from './follow.js';
import { watch } from './keepalive.js';
import type { InflightWrites } from './live.js';
import { handleSessionFollow } from './session-follow.js';
import { handleStream } from './stream.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on WebSocket routes; an upgrade to any other route is refused (see ws/plugin.ts). */
    socket?: true;
  }
}

/** The 404 for a WebSocket route asked for without an upgrade, or an upgrade to a route that has no socket. */
export function noSuchSocket(): ExecTrackError {
  return ExecTrackError.of('NOT_FOUND', { thing: 'such WebSocket endpoint', hint: 'see docs/api.md for the routes' });
}

const SWITCHING = { type: 'null', description: 'Switching Protocols: the WebSocket is open; its frames are in docs/api.md' };

/**
 * The three WebSocket routes of docs/api.md. Each upgrade passes the API plugin's hooks like any
 * request (rate limit, the route's credential) and is authorised (`preload`) before the
 * handshake, so a refusal is a plain HTTP answer with the usual JSON error body (401/403/404/429)
 * that the client reads (src/client/refusal.ts). The stream socket needs the owner's claim key,
 * the follow sockets only the id.
 */
export function socketRoutes(app: ApiInstance, ctx: ServerContext, inflight: InflightWrites): void {
  const owned = preload((request) => ownedExecution(ctx, request.params.id, request.claim), 'claim');
  const followed = preload((request) => readableExecution(ctx, request.params.id));
  const session = preload((request) => readableSession(ctx, request.params.id));

  app.route({
    ...socketOptions(owned),
    url: '/executions/:id/stream',
    schema: { ...socketDoc("WebSocket: the wrapper's stream of lines and the final state (owner's claim key)"), params: executionParams },
    wsHandler: (ws, request) => handleStream(ctx, inflight, watch(ws), owned.of(request).id),
  });

  app.route({
    ...socketOptions(followed),
    url: '/executions/:id/follow',
    schema: { ...socketDoc("WebSocket: an execution's backlog, then live lines, points and state"), params: executionParams, querystring: followQuery },
    wsHandler: (ws, request) => {
      const lines = request.query.after ?? -1;
      // without `pointsAfter`, points resume where lines do (a page that has lines up to `after` has their points)
      const points = request.query.pointsAfter ?? lines;
      handleFollow(ctx, watch(ws), followed.of(request), { lines, points });
    },
  });

  app.route({
    ...socketOptions(session),
    url: '/sessions/:id/follow',
    schema: { ...socketDoc("WebSocket: a session's executions, then each one created or changed"), params: sessionParams, querystring: sessionFollowQuery },
    wsHandler: (ws, request) => handleSessionFollow(ctx, watch(ws), session.of(request), request.query),
  });
}

/** What every WebSocket route shares: a GET behind its access check, marked `socket`, and a 404 for a request without an upgrade. */
function socketOptions<T>(access: Preload<T>) {
  return {
    method: 'GET' as const,
    ...access.route,
    config: { ...access.route.config, socket: true as const },
    handler: async () => {
      throw noSuchSocket();
    },
  };
}

/** The documentation part of a WebSocket route's schema: the `sockets` tag, its summary, and the 101 answer. */
function socketDoc(summary: string) {
  return { tags: ['sockets'], summary, response: replies({ 101: SWITCHING }) };
}
