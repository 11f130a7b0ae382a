import type { FastifyRequest } from 'fastify';
import type { Credential } from '../auth/hook.js';

/** What {@link preload} returns: the route options to spread into a route, and the handler's way to read what it found. */
export interface Preload<T> {
  route: { config: { auth?: Credential }; preValidation: (request: FastifyRequest) => Promise<void> };
  of: (request: FastifyRequest) => T;
}

/**
 * Finds what a route acts on (the owned execution, the session to follow) in a hook before the
 * request's schemas are checked, keeping docs/api.md's order of answers: credential (401), then the
 * id (404/403), then the body or query (400). `find` sees the raw `:id`; the lookups of
 * auth/access.ts check its shape themselves. For a socket the hook also runs before the handshake.
 * `auth`: the credential the route needs (the owner's claim key for a write), checked before `find`.
 */
export function preload<T>(find: (request: FastifyRequest<{ Params: { id: string } }>) => Promise<T>, auth?: Credential): Preload<T> {
  const found = new WeakMap<FastifyRequest, T>();
  return {
    route: {
      config: auth ? { auth } : {},
      preValidation: async (request) => void found.set(request, await find(request as FastifyRequest<{ Params: { id: string } }>)),
    },
    of: (request) => found.get(request)!,
  };
}
