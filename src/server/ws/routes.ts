import { ExecTrackError } from '../../errors.js';
import { executionParams, followQuery, sessionFollowQuery, sessionParams } from '../../protocol/queries.js';
import { preload } from '../api/preload.js';
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
    method: 'GET',
    url: '/executions/:id/stream',
    ...owned.route,
    config: { ...owned.route.config, socket: true },
    schema: {
      tags: ['sockets'],
      summary: "WebSocket: the wrapper's stream of lines and the final state (owner's claim key)",
      params: executionParams,
      response: replies({ 101: SWITCHING }),
    },
    handler: async () => {
      throw noSuchSocket();
    },
    wsHandler: (ws, request) => handleStream(ctx, inflight, watch(ws), owned.of(request).id),
  });

  app.route({
    method: 'GET',
    url: '/executions/:id/follow',
    ...followed.route,
    config: { socket: true },
    schema: {
      tags: ['sockets'],
      summary: "WebSocket: an execution's backlog, then live lines, points and state",
      params: executionParams,
      querystring: followQuery,
      response: replies({ 101: SWITCHING }),
    },
    handler: async () => {
      throw noSuchSocket();
    },
    wsHandler: (ws, request) => {
      const lines = request.query.after ?? -1;
      // without `pointsAfter`, points resume where lines do (a page that has lines up to `after` has their points)
      const points = Math.min(lines, request.query.pointsAfter ?? lines);
      handleFollow(ctx, watch(ws), followed.of(request), { lines, points });
    },
  });

  app.route({
    method: 'GET',
    url: '/sessions/:id/follow',
    ...session.route,
    config: { socket: true },
    schema: {
      tags: ['sockets'],
      summary: "WebSocket: a session's executions, then each one created or changed",
      params: sessionParams,
      querystring: sessionFollowQuery,
      response: replies({ 101: SWITCHING }),
    },
    handler: async () => {
      throw noSuchSocket();
    },
    wsHandler: (ws, request) => handleSessionFollow(ctx, watch(ws), session.of(request), request.query),
  });
}
