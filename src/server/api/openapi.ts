import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { ZodType } from 'zod';
import { VERSION } from '../../version.js';

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

/**
 * Collects the tagged routes (every API route; the web pages are untagged and left out) into an
 * OpenAPI 3.1 document, their zod schemas turned into JSON Schema, and serves the reference page at
 * {@link DOCS_PREFIX}. Register before the routes: `@fastify/swagger` sees routes as they are added.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, OPENAPI_OPTIONS);
  // offline: its assets come from this server only, and no spec validator badge calls out
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: DOCS_CSP, validatorUrl: false });
}

const OPENAPI_OPTIONS: FastifyDynamicSwaggerOptions = {
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
