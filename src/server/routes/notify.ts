import type { FastifyInstance } from 'fastify';
import { ExecTrackError } from '../../errors.js';
import { isId } from '../../protocol/ids.js';
import { addNotificationBody } from '../../protocol/notify.js';
import { addRule, ruleJson } from '../../notify/rules.js';
import { ownedSession, requireClaim } from '../auth/access.js';
import type { ServerContext } from '../context.js';
import { parseWith } from '../errors.js';

/**
 * Notification rules of a session (issue 15, docs/api.md): add, list, remove; all with the claim key
 * of the session's owner (the URLs are secrets: listed masked, and only to the owner).
 */
export function registerNotifyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { id: string } }>('/api/v1/sessions/:id/notifications', async (request, reply) => {
    const claim = requireClaim(ctx, request.headers.authorization);
    const session = await ownedSession(ctx, request.params.id, claim);
    const body = parseWith(addNotificationBody, request.body, 'notification rule');
    const rule = await addRule(ctx.store, session.id, body, ctx.clock()).catch((error: unknown) => {
      throw error instanceof ExecTrackError && error.code === 'USAGE' ? new ExecTrackError('BAD_REQUEST', error.message) : error;
    });
    return reply.code(201).send({ rule: await ruleJson(ctx.store, rule) });
  });

  app.get<{ Params: { id: string } }>('/api/v1/sessions/:id/notifications', async (request) => {
    const claim = requireClaim(ctx, request.headers.authorization);
    const session = await ownedSession(ctx, request.params.id, claim);
    const rules = await ctx.store.notify.listRules(session.id);
    return { rules: await Promise.all(rules.map((r) => ruleJson(ctx.store, r))) };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/notifications/:id', async (request, reply) => {
    const claim = requireClaim(ctx, request.headers.authorization);
    const rule = isId('n', request.params.id) ? await ctx.store.notify.getRule(request.params.id) : undefined;
    if (!rule) throw ExecTrackError.of('NOT_FOUND', { thing: 'notification rule under that id', hint: 'list them with `exec-track notify list <session>`' });
    await ownedSession(ctx, rule.sessionId, claim);
    await ctx.store.notify.removeRule(rule.id);
    return reply.code(204).send();
  });
}
