import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import type { InflightWrites } from './live.js';
import { noSuchSocket } from './routes.js';
import { closeAll } from './shutdown.js';

/**
 * Lets routes declare WebSockets (`@fastify/websocket`): an upgrade is routed through fastify like
 * any request, so it passes the hooks of the plugin its route lives in. Registered on the root, so
 * that an upgrade to a path with no socket route gets the JSON 404 instead of a handshake. Closing
 * the app closes every socket with 1001 and then waits for in-flight writes.
 */
export async function registerWebSockets(app: FastifyInstance, ctx: ServerContext, inflight: InflightWrites): Promise<void> {
  await app.register(websocket, {
    options: { maxPayload: ctx.options.maxFrameBytes },
    // a socket error (a peer gone mid-frame) ends that socket only
    errorHandler: (_error, socket) => socket.terminate(),
    preClose: async function (this: FastifyInstance) {
      await closeAll(this.websocketServer, 1000);
      await inflight.drain();
    },
  });
  app.addHook('onRequest', async (request) => {
    if (request.ws && !request.routeOptions.config.socket) throw noSuchSocket();
  });
}
