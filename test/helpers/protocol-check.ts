import type { ZodTypeAny } from 'zod';
import { followFrame, sessionFollowFrame, streamServerFrame } from '../../src/protocol/frames.js';
import { errorBodySchema, RESPONSES, type ApiRoute } from '../../src/protocol/responses.js';
import { checkAgainstOpenApi } from './openapi-check.js';

/**
 * Checks what a test receives from the server against src/protocol/ (responses.ts, frames.ts), so a
 * server answer that drifts from the schemas — and so from docs/api.md and the clients — fails the
 * test that received it. Wired into test/server/setup.ts (`app.inject`) and test/server/wire.ts
 * (`api`, `openSocket`).
 */

const ROUTES = (Object.keys(RESPONSES) as ApiRoute[]).map((route) => {
  const [method, path] = route.split(' ') as [string, string];
  return { method, pattern: new RegExp(`^${path.replace(/:id/g, '[^/]+')}$`), schema: RESPONSES[route] as ZodTypeAny, route };
});

/**
 * Throws when a JSON answer is not the shape src/protocol/responses.ts gives its route (errors:
 * `{"error":{code,message}}`), or not what docs/openapi.json declares (test/helpers/openapi-check.ts).
 * Non-JSON answers and routes outside the API table pass.
 */
export function checkResponse(method: string, url: string, status: number, contentType: string | undefined, body: string): void {
  if (!contentType?.startsWith('application/json') || body === '') return;
  const path = url.split('?')[0]!;
  const route = status >= 400 ? undefined : ROUTES.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
  if (status < 400 && !route) return;
  const schema = route ? route.schema : errorBodySchema;
  const parsed = schema.safeParse(JSON.parse(body));
  if (!parsed.success)
    throw new Error(
      `${method} ${url} answered ${status} with a body unlike src/protocol/responses.ts (${route?.route ?? 'error body'}): ${parsed.error.message}`,
    );
  checkAgainstOpenApi(method, url, status, body);
}

/** Throws when a frame the server sent on the socket at `url` is not the shape src/protocol/frames.ts gives it. */
export function checkFrame(url: string, frame: unknown): void {
  const path = new URL(url).pathname;
  const schema = path.endsWith('/stream') ? streamServerFrame : path.startsWith('/api/v1/sessions/') ? sessionFollowFrame : followFrame;
  const parsed = schema.safeParse(frame);
  if (!parsed.success) throw new Error(`${path} sent a frame unlike src/protocol/frames.ts: ${parsed.error.message}`);
}
