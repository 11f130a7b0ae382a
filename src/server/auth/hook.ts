import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { User } from '../../store/store.js';
import type { ServerContext } from '../context.js';
import type { Claim } from './claims.js';
import { badToken, bearerOf, hashToken } from './tokens.js';

/** The credential a route needs (its `config.auth`): the owner's claim key (writes) or a user token; none when absent. */
export type Credential = 'claim' | 'user';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: Credential;
  }
  interface FastifyRequest {
    /** The verified claim key, on routes with `config.auth: 'claim'` (set by {@link authHook}). */
    claim: Claim;
    /** The user of the token, on routes with `config.auth: 'user'` (set by {@link authHook}). */
    user: User;
  }
}

/**
 * The API plugin's `onRequest` hook: checks the credential the route declares in `config.auth`
 * (`Authorization: Bearer …`) before anything else about the request is looked at, so without a
 * valid one nothing about an id is revealed (issue 4 points 1–3). 401 when missing, invalid or expired.
 */
export function authHook(ctx: ServerContext): onRequestAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const auth = request.routeOptions.config.auth;
    if (auth === 'claim') request.claim = ctx.claims.verify(bearerOf(request.headers.authorization));
    else if (auth === 'user') request.user = await userOf(ctx, request.headers.authorization);
  };
}

async function userOf(ctx: ServerContext, authorization: string | undefined): Promise<User> {
  const token = bearerOf(authorization);
  const user = token?.startsWith('ut_') ? await ctx.store.getUserByTokenHash(hashToken(token)) : undefined;
  if (!user) throw badToken();
  return user;
}
