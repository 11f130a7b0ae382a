import { isoTime, toExecutionJson, toSessionJson } from '../../protocol/json.js';
import { newId } from '../../protocol/ids.js';
import { createSessionBody } from '../../protocol/messages.js';
import { sessionParams } from '../../protocol/queries.js';
import { RESPONSES } from '../../protocol/responses.js';
import type { Execution, Session } from '../../protocol/types.js';
import { retentionAnchor } from '../../store/retention.js';
import { readRoute, replies, type ApiInstance } from '../api/schema.js';
import { readableSession } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { limitExceeded } from '../limits.js';
import { isOwnResend } from './resend.js';

/** Session routes of docs/api.md: create (claim), list own (token), read by id (anyone holding it). */
export function sessionRoutes(app: ApiInstance, ctx: ServerContext): void {
  const created = RESPONSES['POST /api/v1/sessions'];
  app.post(
    '/sessions',
    {
      config: { auth: 'claim' },
      schema: {
        tags: ['sessions'],
        summary: 'Create a session (201), or get your own with that id (200)',
        body: createSessionBody,
        response: replies({ 200: created, 201: created }),
      },
    },
    async (request, reply) => {
      const { body, claim } = request;
      const existing = body.id ? await ctx.store.getSession(body.id) : undefined;
      if (isOwnResend('session', existing, existing?.ownerId === claim.userId)) return reply.code(200).send({ session: toSessionJson(existing) });
      if ((await ctx.store.countSessions(claim.userId)) >= ctx.options.maxSessionsPerUser) {
        throw limitExceeded('sessions per user', ctx.options.maxSessionsPerUser, '--max-sessions-per-user', 'reuse a session or wait for old ones to expire.');
      }
      const session = await ctx.store.createSession({ id: body.id ?? newId('s'), title: body.title, createdAt: ctx.clock(), ownerId: claim.userId });
      return reply.code(201).send({ session: toSessionJson(session) });
    },
  );

  app.get(
    '/sessions',
    {
      config: { auth: 'user' },
      schema: { tags: ['sessions'], summary: "The token's user's sessions", response: replies({ 200: RESPONSES['GET /api/v1/sessions'] }) },
    },
    async (request) => {
      const sessions = await ctx.store.listSessions(request.user.id);
      return { sessions: sessions.map(toSessionJson) };
    },
  );

  readRoute(app, '/sessions/:id', { tags: ['sessions'], summary: 'A session and its executions', params: sessionParams }, async (request) => {
    const session = await readableSession(ctx, request.params.id);
    const executions = await ctx.store.listExecutions(session.id);
    return {
      session: { ...toSessionJson(session), expiresAt: expiresAt(session, executions, ctx.options.retentionMs) },
      executions: executions.map(toExecutionJson),
    };
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
