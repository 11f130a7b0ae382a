import type { FastifyInstance } from 'fastify';
import { ExecTrackError } from '../../errors.js';
import { isoTime, toExecutionJson, toSessionJson } from '../../protocol/json.js';
import { newId } from '../../protocol/ids.js';
import { createSessionBody } from '../../protocol/messages.js';
import type { Execution, Session } from '../../protocol/types.js';
import { readableSession, requireClaim, requireUser } from '../auth/access.js';
import { retentionAnchor } from '../../store/retention.js';
import type { ServerContext } from '../context.js';
import { parseWith } from '../errors.js';
import { limitExceeded } from '../limits.js';

type IdParams = { Params: { id: string } };

/** Session routes of docs/api.md: create (claim), list own (token), read by id (anyone holding it). */
export function registerSessionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/api/v1/sessions', async (request, reply) => {
    const claim = requireClaim(ctx, request.headers.authorization);
    const body = parseWith(createSessionBody, request.body, 'session');
    if (body.id) {
      const existing = await ctx.store.getSession(body.id);
      if (existing?.ownerId === claim.userId) return reply.code(200).send({ session: toSessionJson(existing) });
      if (existing) throw new ExecTrackError('CONFLICT', 'That session id is already taken; omit the id to get a fresh one.');
    }
    if ((await ctx.store.countSessions(claim.userId)) >= ctx.options.maxSessionsPerUser) {
      throw limitExceeded('sessions per user', ctx.options.maxSessionsPerUser, '--max-sessions-per-user', 'reuse a session or wait for old ones to expire.');
    }
    const session = await ctx.store.createSession({ id: body.id ?? newId('s'), title: body.title, createdAt: ctx.clock(), ownerId: claim.userId });
    return reply.code(201).send({ session: toSessionJson(session) });
  });

  app.get('/api/v1/sessions', async (request) => {
    const user = await requireUser(ctx, request.headers.authorization);
    const sessions = await ctx.store.listSessions(user.id);
    return { sessions: sessions.map(toSessionJson) };
  });

  app.get<IdParams>('/api/v1/sessions/:id', async (request) => {
    const session = await readableSession(ctx, request.params.id);
    const executions = await ctx.store.listExecutions(session.id);
    return { session: { ...toSessionJson(session), expiresAt: expiresAt(session, executions, ctx.options.retentionMs) }, executions: executions.map(toExecutionJson) };
  });
}

/**
 * When retention deletes the session (ISO 8601 UTC), or null when retention is off: its anchor
 * by the server's clock ({@link retentionAnchor}) plus the retention period. A session with a
 * `Running` execution is kept past it until the execution ends (or is lost).
 */
export function expiresAt(session: Session, executions: Execution[], retentionMs: number): string | null {
  if (retentionMs <= 0) return null;
  return isoTime(retentionAnchor(session, executions) + retentionMs);
}
