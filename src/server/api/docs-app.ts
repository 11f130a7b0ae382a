import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { installErrorHandlers } from '../errors.js';
import { DOCS_CSP, DOCS_PREFIX, OPENAPI_OPTIONS, type DeclaredRoute } from './openapi.js';

/**
 * The app behind the OpenAPI document and the reference page, built on their first request
 * (./openapi.ts): `@fastify/swagger` over `routes`, the routes the server declared (their schemas
 * read, never run, and their handlers never called: nothing but {@link DOCS_PREFIX} is routed here),
 * and the Swagger UI at {@link DOCS_PREFIX}. It never listens; its errors and unknown paths get the
 * API's JSON bodies, as on the server.
 */
export async function buildDocsApp(routes: readonly DeclaredRoute[], logFault: ServerContext['logFault']): Promise<FastifyInstance> {
  const docs = Fastify({ logger: false });
  // the schemas are zod schemas, turned into JSON Schema by the document's transform only
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandlers(docs, logFault);
  await docs.register(swagger, OPENAPI_OPTIONS);
  // offline: its assets come from this server only, and no spec validator badge calls out
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: DOCS_CSP, validatorUrl: false });
  for (const route of routes) docs.route({ ...route, handler: unreachable });
  await docs.ready();
  return docs;
}

function unreachable(): never {
  throw new Error('the docs app answers only under /api/docs');
}
