import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodError, ZodType, ZodTypeDef } from 'zod';
import { ExecTrackError, isExecTrackError } from '../errors.js';
import type { ServerContext, ServerLog } from './context.js';

/**
 * Parses untrusted input with a zod schema from src/protocol/ (WebSocket frames; REST routes declare
 * theirs, see api/schema.ts). Throws BAD_REQUEST (400) naming the first problem and where it is.
 */
export function parseWith<T>(schema: ZodType<T, ZodTypeDef, unknown>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw badInput(result.error, what);
}

/** BAD_REQUEST (400) naming the first problem of `error` and where it is in `what` (`request body`, `frame`). */
export function badInput(error: ZodError, what: string): ExecTrackError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return new ExecTrackError('BAD_REQUEST', `Invalid ${what}${where}: ${issue?.message ?? 'wrong shape'}; see docs/api.md for the expected shape.`);
}

/** 413 for a request body over `serve --max-body`. */
export function bodyTooLarge(): ExecTrackError {
  return new ExecTrackError('TOO_LARGE', 'The request body is larger than the server allows (serve --max-body); send smaller batches.');
}

/** fastify's own client errors, described without echoing any of the request. */
const FASTIFY_CLIENT_ERRORS: Record<string, () => ExecTrackError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: bodyTooLarge,
  FST_ERR_CTP_INVALID_JSON_BODY: () => new ExecTrackError('BAD_REQUEST', 'The request body is not valid JSON; send a JSON object.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new ExecTrackError('BAD_REQUEST', 'The request has a JSON content type but an empty body; send a JSON object or no content type.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new ExecTrackError('BAD_REQUEST', 'The request body must be JSON (Content-Type: application/json).', { statusCode: 415 }),
};

/** Maps anything thrown in a handler to an ExecTrackError; bad input never becomes a 5xx. */
export function toApiError(error: unknown): ExecTrackError {
  if (isExecTrackError(error)) return error;
  const fastifyError = error as Partial<FastifyError>;
  const known = fastifyError.code ? FASTIFY_CLIENT_ERRORS[fastifyError.code] : undefined;
  if (known) return known();
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ExecTrackError('BAD_REQUEST', 'The request is malformed; see docs/api.md for the expected shape.', { statusCode: status });
  }
  return new ExecTrackError('INTERNAL', 'The server hit an internal error; try again, and report it if it persists.', { cause: error });
}

/**
 * Installs the one error handler and the one not-found handler: every error is
 * `{"error":{code,message}}`, except that a path no route serves outside `/api/` (what a browser
 * asks for) gets `notFoundPage` when given; a WebSocket upgrade keeps the JSON 404 (docs/api.md).
 */
export function installErrorHandlers(app: FastifyInstance, logFault: ServerContext['logFault'], notFoundPage?: (reply: FastifyReply) => FastifyReply): void {
  app.setErrorHandler((error, _request, reply) => {
    const apiError = toApiError(error);
    logFault(apiError, 'internal error');
    if (apiError.retryAfter !== undefined) void reply.header('retry-after', String(apiError.retryAfter));
    void reply.code(apiError.statusCode).send(apiError.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    void (notFoundPage && isPagePath(request) ? notFoundPage(reply) : reply.code(404).send(unknownEndpoint()));
  });
}

/** Whether a request is for a page (a browser's): outside `/api/` and not a WebSocket upgrade. */
export function isPagePath(request: Pick<FastifyRequest, 'url' | 'headers'>): boolean {
  return !request.url.startsWith('/api/') && request.headers.upgrade === undefined;
}

/** The body of a 404 for a path no route serves. */
export function unknownEndpoint(): ReturnType<ExecTrackError['toJSON']> {
  return ExecTrackError.of('NOT_FOUND', { thing: 'such endpoint', hint: 'see docs/api.md for the routes' }).toJSON();
}

/**
 * Logs the server's side of a 5xx: an internal error by its stack only (it never carries request
 * data); a known fault (the database is down) by its one sentence, once per {@link FAULT_REPEAT_MS}
 * however many requests meet it. `where` names the place (`internal error on a stream socket`).
 */
export function faultLogger(log: ServerLog): (apiError: ExecTrackError, where: string) => void {
  const faults = repeatFilter(FAULT_REPEAT_MS);
  return (apiError, where) => {
    if (apiError.code === 'INTERNAL') log(`exec-track: ${where}: ${describe(apiError.cause ?? apiError)}`);
    else if (apiError.statusCode >= 500)
      faults(apiError.message, (repeats) => log(`exec-track: ${apiError.code}: ${apiError.message}${repeats ? ` (and ${repeats} more since)` : ''}`));
  };
}

/** How long the same server fault is logged once (ms). */
const FAULT_REPEAT_MS = 10_000;

/**
 * Calls `emit` for a message at most once per `windowMs`; the next emit of that message says how many
 * were left out in between (an outage meets every request: one line per window, not one per request).
 */
function repeatFilter(windowMs: number, clock: () => number = Date.now): (message: string, emit: (repeats: number) => void) => void {
  const seen = new Map<string, { at: number; repeats: number }>();
  return (message, emit) => {
    const now = clock();
    const last = seen.get(message);
    if (last && now - last.at < windowMs) {
      last.repeats++;
      return;
    }
    if (seen.size > 100) seen.clear();
    seen.set(message, { at: now, repeats: 0 });
    emit(last?.repeats ?? 0);
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : 'non-error thrown';
}
