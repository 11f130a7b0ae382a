import { newId } from '../../protocol/ids.js';
import { RESPONSES } from '../../protocol/responses.js';
import { replies, type ApiInstance } from '../api/schema.js';
import { hashToken, newUserToken } from '../auth/tokens.js';
import type { ServerContext } from '../context.js';

/**
 * `POST /users` mints an anonymous user and its secret token (only the hash is kept);
 * `POST /claims` trades the token for a claim key valid 24 h (issue 4 points 2–3).
 */
export function userRoutes(app: ApiInstance, ctx: ServerContext): void {
  app.post(
    '/users',
    {
      schema: { tags: ['users'], summary: 'Create an anonymous user and its token (shown once)', response: replies({ 201: RESPONSES['POST /api/v1/users'] }) },
    },
    async (_request, reply) => {
      const now = ctx.clock();
      const token = newUserToken();
      const user = { id: newId('u'), tokenHash: hashToken(token), createdAt: now, lastSeenAt: now };
      await ctx.store.createUser(user);
      return reply.code(201).send({ user: { id: user.id }, token });
    },
  );

  app.post(
    '/claims',
    {
      config: { auth: 'user' },
      schema: { tags: ['users'], summary: 'Trade the user token for a claim key (valid 24 h)', response: replies({ 201: RESPONSES['POST /api/v1/claims'] }) },
    },
    async (request, reply) => {
      await ctx.store.touchUser(request.user.id, ctx.clock());
      const { claimKey, expiresAt } = ctx.claims.issue(request.user.id);
      return reply.code(201).send({ claimKey, expiresAt: new Date(expiresAt).toISOString() });
    },
  );
}
