import type { FastifyInstance } from 'fastify';
import { newId } from '../../protocol/ids.js';
import { requireUser } from '../auth/access.js';
import { hashToken, newUserToken } from '../auth/tokens.js';
import type { ServerContext } from '../context.js';

/**
 * `POST /api/v1/users` mints an anonymous user and its secret token (only the hash is kept);
 * `POST /api/v1/claims` trades the token for a claim key valid 24 h (issue 4 points 2–3).
 */
export function registerUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v1/users', async (_request, reply) => {
    const now = ctx.clock();
    const token = newUserToken();
    const user = { id: newId('u'), tokenHash: hashToken(token), createdAt: now, lastSeenAt: now };
    await ctx.store.createUser(user);
    return reply.code(201).send({ user: { id: user.id }, token });
  });

  app.post('/api/v1/claims', async (request, reply) => {
    const user = await requireUser(ctx, request.headers.authorization);
    await ctx.store.touchUser(user.id, ctx.clock());
    const { claimKey, expiresAt } = ctx.claims.issue(user.id);
    return reply.code(201).send({ claimKey, expiresAt: new Date(expiresAt).toISOString() });
  });
}
