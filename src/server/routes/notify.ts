import { z } from 'zod';
import { ExecTrackError } from '../../errors.js';
import { isId } from '../../protocol/ids.js';
import { addNotificationBody } from '../../protocol/notify.js';
import { sessionParams } from '../../protocol/queries.js';
import { RESPONSES } from '../../protocol/responses.js';
import { addRule, ruleJson } from '../../notify/rules.js';
import { preload } from '../api/preload.js';
import { replies, type ApiInstance } from '../api/schema.js';
import { ownedSession } from '../auth/access.js';
import type { ServerContext } from '../context.js';

/** `:id` of a rule: `n_…` (an id of another shape gets the same 404 as an unknown one). */
const ruleParams = z.object({ id: z.string().max(64) });

/**
 * Notification rules of a session (issue 15, docs/api.md, docs/notifications.md): add, list, remove;
 * all with the claim key of the session's owner (the URLs are secrets: answered masked, and only to
 * the owner). Part of the API plugin (`/api/v1`).
 */
export function notifyRoutes(app: ApiInstance, ctx: ServerContext): void {
  const owned = preload((request) => ownedSession(ctx, request.params.id, request.claim), 'claim');
  app.post(
    '/sessions/:id/notifications',
    {
      ...owned.route,
      schema: {
        tags: ['notifications'],
        summary: 'Send the events of your session (or of one execution of it) to a URL',
        params: sessionParams,
        body: addNotificationBody,
        response: replies({ 201: RESPONSES['POST /api/v1/sessions/:id/notifications'] }),
      },
    },
    async (request, reply) => {
      const session = owned.of(request);
      const rule = await addRule(ctx.store, session.id, request.body, ctx.clock()).catch((error: unknown) => {
        throw error instanceof ExecTrackError && error.code === 'USAGE' ? new ExecTrackError('BAD_REQUEST', error.message) : error;
      });
      return reply.code(201).send({ rule: await ruleJson(ctx.store, rule) });
    },
  );

  app.get(
    '/sessions/:id/notifications',
    {
      ...owned.route,
      schema: {
        tags: ['notifications'],
        summary: "Your session's notification rules (URLs masked), oldest first",
        params: sessionParams,
        response: replies({ 200: RESPONSES['GET /api/v1/sessions/:id/notifications'] }),
      },
    },
    async (request) => {
      const rules = await ctx.store.notify.listRules(owned.of(request).id);
      return { rules: await Promise.all(rules.map((r) => ruleJson(ctx.store, r))) };
    },
  );

  const ownedRule = preload(async (request) => {
    const rule = isId('n', request.params.id) ? await ctx.store.notify.getRule(request.params.id) : undefined;
    if (!rule) throw ExecTrackError.of('NOT_FOUND', { thing: 'notification rule under that id', hint: 'list them with `exec-track notify list <session>`' });
    await ownedSession(ctx, rule.sessionId, request.claim);
    return rule;
  }, 'claim');
  app.delete(
    '/notifications/:id',
    {
      ...ownedRule.route,
      schema: {
        tags: ['notifications'],
        summary: 'Remove a rule of your session and its undelivered messages',
        params: ruleParams,
        response: replies({ 204: z.null().describe('removed') }),
      },
    },
    async (request, reply) => {
      await ctx.store.notify.removeRule(ownedRule.of(request).id);
      return reply.code(204).send(null);
    },
  );
}
