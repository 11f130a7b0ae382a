import type {
  ContextConfigDefault,
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaCompiler,
  FastifySerializerCompiler,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';
import { notFound } from '../auth/access.js';
import { badInput } from '../errors.js';
import { errorBodySchema, RESPONSES, type ApiRoute } from '../../protocol/responses.js';

/** The API plugin's fastify instance: route schemas are zod schemas from src/protocol/, and handlers see their parsed types. */
export type ApiInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** What each part of a request is called in a 400 message. */
const PARTS: Record<string, string> = { body: 'request body', querystring: 'query', headers: 'headers' };

/**
 * Validates a request part with the route's zod schema and hands the parsed (coerced, defaulted)
 * value to the handler. Bad input is the ExecTrackError the error handler answers with: BAD_REQUEST
 * (400) naming the first problem, except a malformed `:id`, which gets the one 404 of an unknown id
 * (issue 4 point 1: answers say nothing about which ids exist).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: httpPart === 'params' ? notFound() : badInput(result.error, PARTS[httpPart ?? ''] ?? 'request') };
  };

/**
 * Response schemas document the routes (and docs/openapi.json); answers are not checked on every
 * request — the test suite checks them against the same schemas (test/helpers/protocol-check.ts).
 */
export const jsonSerializerCompiler: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

/**
 * A route's `response` schemas: its success bodies by status, and the `{"error":{code,message}}`
 * body of every 4xx and 5xx (docs/errors.md).
 */
export function replies<S extends Record<number, unknown>>(success: S): S & { '4xx': typeof errorBodySchema; '5xx': typeof errorBodySchema } {
  return { ...success, '4xx': errorBodySchema, '5xx': errorBodySchema };
}

/** The paths, under the API's `/api/v1` prefix, of the reads {@link RESPONSES} lists. */
export type ReadPath = { [R in ApiRoute]: R extends `GET /api/v1${infer P}` ? P : never }[ApiRoute];

/** What a read route says of itself in OpenAPI, and the request parts it validates. */
export interface ReadDoc {
  tags: string[];
  summary: string;
  params?: ZodType;
  querystring?: ZodType;
}

/** The schema {@link readRoute} gives the read of `path`: the doc and the 200 body listed for it. */
type ReadSchema<P extends ReadPath, D extends ReadDoc> = D & { response: ReturnType<typeof replies<{ 200: (typeof RESPONSES)[`GET /api/v1${P}`] }>> };

/**
 * Registers the read `GET <path>` with `doc` as its schema and, as its 200 body, the one
 * protocol/responses.ts lists for `GET /api/v1<path>`, so a read's path is spelled once. For reads
 * with no route options of their own (auth config, preload hooks): those call `app.get` directly.
 */
export function readRoute<P extends ReadPath, D extends ReadDoc>(
  app: ApiInstance,
  path: P,
  doc: D,
  handler: RouteHandlerMethod<
    RawServerDefault,
    RawRequestDefaultExpression,
    RawReplyDefaultExpression,
    RouteGenericInterface,
    ContextConfigDefault,
    ReadSchema<P, D>,
    ZodTypeProvider
  >,
): void {
  const schema: ReadSchema<P, D> = { ...doc, response: replies({ 200: RESPONSES[`GET /api/v1${path}`] }) };
  app.get(path, { schema }, handler);
}
