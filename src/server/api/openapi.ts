import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { ZodType } from 'zod';
import { VERSION } from '../../version.js';

/** Where the API reference page is served (the bundled Swagger UI: no CDN). */
export const DOCS_PREFIX = '/api/docs';

const SECURITY = { claim: [{ claimKey: [] }], user: [{ userToken: [] }] } as const;

/**
 * Collects the tagged routes (every API route; the web pages are untagged and left out) into an
 * OpenAPI 3.1 document, their zod schemas turned into JSON Schema, and serves the reference page at
 * {@link DOCS_PREFIX}. Register before the routes: `@fastify/swagger` sees routes as they are added.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, OPENAPI_OPTIONS);
  // the page's own CSP: its assets come from this server only
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true });
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
        ...(response ? { response: convertParts(response as Record<string, unknown>) } : {}),
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

/** A zod schema as inline JSON Schema (what a request accepts: defaults and coercions are the input side). */
export function toJsonSchema(schema: ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...json } = zodToJsonSchema(schema, { target: 'jsonSchema2019-09', $refStrategy: 'none', effectStrategy: 'input', pipeStrategy: 'input' });
  return json;
}
