import { ExecTrackError } from '../../errors.js';
import { isId } from '../../protocol/ids.js';
import type { Execution, Session } from '../../protocol/types.js';
import type { ServerContext } from '../context.js';
import type { Claim } from './claims.js';

/**
 * Lookups by capability ID and ownership checks. An unknown and a malformed ID get the very same
 * 404, so answers say nothing about which IDs exist (issue 4 point 1). Ownership is checked after
 * the claim key, so without a valid key nothing about an ID is revealed either.
 */

/** The one 404 for any session or execution that cannot be read. */
export function notFound(): ExecTrackError {
  return ExecTrackError.of('NOT_FOUND', {
    thing: 'session or execution under that id',
    hint: 'check that you copied the whole link (it may also have expired)',
  });
}

function forbidden(): ExecTrackError {
  return new ExecTrackError('FORBIDDEN', 'That belongs to another user; writes need the claim key of its owner.');
}

export async function readableSession(ctx: ServerContext, id: string): Promise<Session> {
  const session = isId('s', id) ? await ctx.store.getSession(id) : undefined;
  if (!session) throw notFound();
  return session;
}

export async function readableExecution(ctx: ServerContext, id: string): Promise<Execution> {
  const execution = isId('e', id) ? await ctx.store.getExecution(id) : undefined;
  if (!execution) throw notFound();
  return execution;
}

/** The session, if the claim's user owns it: 404 unknown, 403 someone else's. */
export async function ownedSession(ctx: ServerContext, id: string, claim: Claim): Promise<Session> {
  const session = await readableSession(ctx, id);
  if (session.ownerId !== claim.userId) throw forbidden();
  return session;
}

/** The execution, if the claim's user owns its session: 404 unknown, 403 someone else's. */
export async function ownedExecution(ctx: ServerContext, id: string, claim: Claim): Promise<Execution> {
  const execution = await readableExecution(ctx, id);
  const session = await ctx.store.getSession(execution.sessionId);
  if (session?.ownerId !== claim.userId) throw forbidden();
  return execution;
}
