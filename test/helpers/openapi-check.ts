import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPENAPI_PATH } from '../../src/server/api/document.js';

/**
 * Checks a JSON answer against docs/openapi.json itself — the document other languages' clients are
 * generated from — with a JSON Schema 2020-12 validator (ajv; OpenAPI 3.1's schema dialect), so a
 * route whose answers drift from what the document says fails the test that received the answer.
 */

interface Operation {
  key: string;
  method: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

const document = JSON.parse(readFileSync(resolve(import.meta.dirname, '../..', OPENAPI_PATH), 'utf8')) as {
  paths: Record<string, Record<string, Operation['responses'] extends infer R ? { responses: R } : never>>;
};

/** Every operation of the document, as `GET /api/v1/executions/{id}`. */
export const OPERATIONS: Operation[] = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    key: `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    responses: op.responses,
  })),
);

/** The operations a JSON answer was checked against in this test process (for the test that covers every route). */
export const checkedOperations = new Set<string>();

const ajv = new Ajv2020({ strict: false, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

/**
 * Throws when a JSON `body` answered to `method url` with `status` is not what docs/openapi.json
 * declares for that operation and status (exact status, else its `4XX`/`5XX` class). Answers to paths
 * the document does not hold (pages, assets) pass unchecked.
 */
export function checkAgainstOpenApi(method: string, url: string, status: number, body: string): void {
  const path = url.split('?')[0]!;
  const op = OPERATIONS.find((o) => o.method === method.toUpperCase() && o.pattern.test(path));
  if (!op) return;
  const statusKey = op.responses[String(status)] ? String(status) : `${String(status)[0]}XX`;
  const schema = op.responses[statusKey]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${url} answered ${status} with JSON, which docs/openapi.json does not declare for ${op.key}`);
  const id = `${op.key} ${statusKey}`;
  let validate = compiled.get(id);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(id, validate);
  }
  if (!validate(JSON.parse(body)))
    throw new Error(`${method} ${url} answered ${status} with a body unlike docs/openapi.json (${id}): ${ajv.errorsText(validate.errors)}`);
  checkedOperations.add(op.key);
}
