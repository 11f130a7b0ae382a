import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { createRequire } from 'node:module';
import { ZodType } from 'zod';
import { VERSION } from '../../version.js';
import type { ServerContext } from '../context.js';

/** Where the API reference page is served (the bundled Swagger UI: no CDN). */
export const DOCS_PREFIX = '/api/docs';

/**
 * The reference page loads nothing but its own bundled script, styles and the document (checked in a
 * browser: test/web/api-docs.test.ts). Inline styles are allowed because the Swagger UI bundle injects
 * a `<style>` element; the page shows only this server's own document, and scripts stay `'self'` only.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY = { claim: [{ claimKey: [] }], user: [{ userToken: [] }] } as const;

/** A route as the app declared it: what the OpenAPI document is made of. */
export type DeclaredRoute = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAPI 3.1 document of the app's tagged routes (built on the first call, then kept). */
    openApiDocument: () => Promise<Record<string, unknown>>;
  }
}

/**
 * Gives the app its OpenAPI document ({@link FastifyInstance.openApiDocument}) and the reference
 * page at {@link DOCS_PREFIX}, both built on first use (issue 10, B8: `@fastify/swagger`, the
 * Swagger UI, `@fastify/static` and `yaml` cost an idle server ~4 MB): until then the app only
 * notes each route as it is added. The first request builds a second, never-listening app
 * (./docs-app.ts) that declares the same routes to `@fastify/swagger` and serves the Swagger UI;
 * requests under {@link DOCS_PREFIX} are handed to it whole. Register before the routes.
 */
export function registerOpenApi(app: FastifyInstance, logFault: ServerContext['logFault']): void {
  const routes: DeclaredRoute[] = [];
  let docs: Promise<FastifyInstance> | undefined;
  const docsApp = () =>
    (docs ??= import('./docs-app.js')
      .then(({ buildDocsApp }) => buildDocsApp(routes, logFault))
      .catch((error: unknown) => {
        docs = undefined;
        throw error;
      }));
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const handler = await docsApp();
    // the docs app answers on the raw response itself (its files streamed, HEAD and 304 as @fastify/static does them)
    reply.hijack();
    handler.routing(request.raw, reply.raw);
  };
  // added before the hook below: the docs app has its own routes there
  app.get(DOCS_PREFIX, forward);
  app.get(`${DOCS_PREFIX}/*`, forward);
  // fastify adds a HEAD beside each GET; @fastify/swagger leaves those out
  app.addHook('onRoute', ({ method, url, schema, config }) => {
    if (method !== 'HEAD') routes.push({ method, url, schema, config });
  });
  app.decorate('openApiDocument', async () => (await docsApp()).swagger() as Record<string, unknown>);
  app.addHook('onClose', async () => {
    await (await docs?.catch(() => undefined))?.close();
  });
}

/** How `@fastify/swagger` turns the declared routes into the document (./docs-app.ts). */
export const OPENAPI_OPTIONS: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'exec-track server API',
      version: VERSION,
      description: 'Sessions, executions, their lines and metrics (docs/api.md). Errors are `{"error":{"code","message"}}` (docs/errors.md).',
    },
    components: {
      securitySchemes: {
        claimKey: { type: 'http', scheme: 'bearer', description: 'A claim key `ck_…` from POST /api/v1/claims (writes)' },
        userToken: { type: 'http', scheme: 'bearer', description: 'The user token `ut_…` from POST /api/v1/users' },
      },
    },
  },
  hideUntagged: true,
  transform: ({ schema, url, route }) => {
    if (!schema) return { schema, url };
    const { params, querystring, body, headers, response, ...rest } = schema as Record<string, unknown>;
    const auth = route.config?.auth;
    return {
      url,
      schema: {
        ...rest,
        ...(auth ? { security: SECURITY[auth] } : {}),
        ...convertParts({ params, querystring, body, headers }),
        ...(response ? { response: describeReplies(convertParts(response as Record<string, unknown>)) } : {}),
      },
    };
  },
};

/** Each zod schema of `parts` as JSON Schema (the 2020-12 dialect of OpenAPI 3.1); anything else as it is. */
function convertParts(parts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, part] of Object.entries(parts)) if (part !== undefined) out[name] = part instanceof ZodType ? toJsonSchema(part) : part;
  return out;
}

/** What each status means, for the replies that do not say it themselves. */
const REPLY_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '4xx': 'Refused: `{"error":{"code","message"}}` (codes and statuses: docs/errors.md)',
  '5xx': 'Server fault: `{"error":{"code","message"}}` (docs/errors.md)',
};

function describeReplies(replies: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, reply] of Object.entries(replies)) {
    const described = reply as { description?: string };
    out[status] = described.description || !REPLY_DESCRIPTIONS[status] ? reply : { ...described, description: REPLY_DESCRIPTIONS[status] };
  }
  return out;
}

/**
 * zod-to-json-schema, loaded on first use: importing it costs ~70 ms of every server start, and only
 * the document needs it (the transform above is synchronous, hence `require`).
 */
let converter: typeof import('zod-to-json-schema') | undefined;

/** A zod schema as inline JSON Schema (what a request accepts: defaults and coercions are the input side). */
export function toJsonSchema(schema: ZodType): Record<string, unknown> {
  converter ??= createRequire(import.meta.url)('zod-to-json-schema') as typeof import('zod-to-json-schema');
  const { $schema: _dialect, ...json } = converter.zodToJsonSchema(schema, {
    target: 'jsonSchema2019-09',
    $refStrategy: 'none',
    effectStrategy: 'input',
    pipeStrategy: 'input',
  });
  return json;
}
