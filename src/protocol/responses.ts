import { z } from 'zod';
import { notificationListResponse, notificationRuleResponse } from './notify.js';
import { executionContextSchema, executionIdSchema, resourceUsageSchema, sessionIdSchema, userIdSchema } from './messages.js';
import { STATES } from './states.js';

/**
 * Schemas of what the server answers (docs/api.md): REST response bodies. The TypeScript types the
 * server builds and the clients read are derived from them, and the test suite checks every answer
 * it receives against them (test/helpers/protocol-check.ts), so the server, the clients and the
 * document cannot drift apart. Objects are strict: a field the server adds must be added here.
 *
 * Time rule: every time in a JSON shape is an ISO 8601 UTC string (`2026-11-30T12:00:01.123Z`).
 * Milliseconds since epoch appear only in storage, in what a wrapper sends (lines, outcomes, start),
 * and in the points endpoint's parallel `ts` column, which a chart plots as numbers.
 */

/** An ISO 8601 UTC time exactly as `Date#toISOString` writes it (an extended `+275760-…` year included). */
export const isoTimeSchema = z
  .string()
  .refine((s) => {
    const ms = Date.parse(s);
    return !Number.isNaN(ms) && new Date(ms).toISOString() === s;
  }, 'not an ISO 8601 UTC time as Date#toISOString writes it')
  .describe('ISO 8601 UTC time, as Date#toISOString writes it');

/** A metric number: JSON has no NaN or ±Infinity, so those travel as null. */
const metricNumberSchema = z.number().nullable();

const countSchema = z.number().int().nonnegative();

/** The `{"error":{"code","message"}}` body of every error (docs/errors.md). */
export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }).strict() }).strict();

export const sessionJsonSchema = z.object({ id: sessionIdSchema, title: z.string(), createdAt: isoTimeSchema }).strict();
/** Session as shown by `report --json` and the REST API (DESIGN §4). */
export type SessionJson = z.infer<typeof sessionJsonSchema>;

/** A session with when retention deletes it (null when retention is off). */
export const sessionWithExpiryJsonSchema = sessionJsonSchema.extend({ expiresAt: isoTimeSchema.nullable() }).strict();

export const executionJsonSchema = z
  .object({
    id: executionIdSchema,
    sessionId: sessionIdSchema,
    name: z.string().nullable(),
    command: z.array(z.string()),
    /** The working directory the wrapper ran in. */
    cwd: z.string(),
    /** The host the wrapper ran on. */
    host: z.string(),
    state: z.enum(STATES),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    reason: z.string().nullable(),
    startedAt: isoTimeSchema.nullable(),
    endedAt: isoTimeSchema.nullable(),
    /** ms; for a running execution, up to now. */
    durationMs: countSchema.nullable(),
    lineCount: countSchema,
    /** git commit/branch/dirty and exec-track version (issue 16); null when not recorded. */
    context: executionContextSchema.nullable(),
    /** Peak RSS and CPU time of the command's tree (issue 16); null while running or when not sampled. */
    usage: resourceUsageSchema.nullable(),
  })
  .strict();
/** Execution as shown by `report --json` and the REST API (DESIGN §4): ISO 8601 UTC times, ms durations. */
export type ExecutionJson = z.infer<typeof executionJsonSchema>;

export const reportJsonSchema = z
  .object({
    seq: countSchema,
    /** null for an impossible time stored by builds before schema 3. */
    ts: isoTimeSchema.nullable(),
    stream: z.enum(['stdout', 'stderr']),
    text: z.string(),
    partial: z.literal(true).optional(),
    truncated: z.literal(true).optional(),
    byteLength: countSchema.optional(),
  })
  .strict();
/** Report line as shown by `report --json` and the REST API (DESIGN §4). */
export type ReportJson = z.infer<typeof reportJsonSchema>;

export const metricSummaryJsonSchema = z.object({ last: metricNumberSchema, min: metricNumberSchema, max: metricNumberSchema, count: countSchema }).strict();
/** One key's summary in JSON: NaN (no value yet, or the last one not finite) as null. */
export type MetricSummaryJson = z.infer<typeof metricSummaryJsonSchema>;
/** Summaries by metric key. */
export const metricSummariesJsonSchema = z.record(metricSummaryJsonSchema);

export const metricPointJsonSchema = z
  .object({ key: z.string(), step: z.number().int(), value: metricNumberSchema, ts: isoTimeSchema.nullable(), seq: countSchema })
  .strict();
/** A metric point in the API and on the follow socket: `ts` ISO 8601 UTC (null for an impossible stored time, as for lines), a non-finite value as null. */
export type MetricPointJson = z.infer<typeof metricPointJsonSchema>;

export const executionSummaryJsonSchema = executionJsonSchema.extend({ metrics: metricSummariesJsonSchema }).strict();
/** An execution with its metric summaries (the session summary the web page sorts and compares). */
export type ExecutionSummaryJson = z.infer<typeof executionSummaryJsonSchema>;

/** One series of the points endpoint: parallel arrays (`ts` in ms, the one column a chart plots as numbers). */
export const seriesJsonSchema = z
  .object({ step: z.array(z.number().int()), ts: z.array(z.number().int()), value: z.array(metricNumberSchema), total: countSchema, downsampled: z.boolean() })
  .strict();
export type SeriesJson = z.infer<typeof seriesJsonSchema>;

/** Response bodies by route (method, path as fastify spells it, status) — docs/api.md's table. */
export const RESPONSES = {
  'POST /api/v1/users': z.object({ user: z.object({ id: userIdSchema }).strict(), token: z.string() }).strict(),
  'POST /api/v1/claims': z.object({ claimKey: z.string(), expiresAt: isoTimeSchema }).strict(),
  'POST /api/v1/sessions': z.object({ session: sessionJsonSchema }).strict(),
  'GET /api/v1/sessions': z.object({ sessions: z.array(sessionJsonSchema) }).strict(),
  'GET /api/v1/sessions/:id': z.object({ session: sessionWithExpiryJsonSchema, executions: z.array(executionJsonSchema) }).strict(),
  'POST /api/v1/sessions/:id/executions': z.object({ execution: executionJsonSchema }).strict(),
  'GET /api/v1/executions/:id': z.object({ execution: executionJsonSchema, metrics: metricSummariesJsonSchema }).strict(),
  'GET /api/v1/executions/:id/reports': z.object({ reports: z.array(reportJsonSchema) }).strict(),
  'GET /api/v1/executions/:id/metrics': z.object({ metrics: metricSummariesJsonSchema, points: z.array(metricPointJsonSchema) }).strict(),
  'POST /api/v1/executions/:id/reports': z.object({ lastSeq: z.number().int().min(-1) }).strict(),
  'POST /api/v1/executions/:id/finish': z.object({ execution: executionJsonSchema }).strict(),
  'GET /api/v1/sessions/:id/summary': z.object({ session: sessionWithExpiryJsonSchema, executions: z.array(executionSummaryJsonSchema) }).strict(),
  'GET /api/v1/executions/:id/points': z.object({ series: z.record(seriesJsonSchema) }).strict(),
  'GET /api/v1/executions/:id/search': z.object({ hits: z.array(countSchema), scannedTo: z.number().int().min(-1), complete: z.boolean() }).strict(),
  'POST /api/v1/sessions/:id/notifications': notificationRuleResponse.strict(),
  'GET /api/v1/sessions/:id/notifications': notificationListResponse.strict(),
  'GET /healthz': z.object({ ok: z.literal(true) }).strict(),
  'GET /readyz': z.object({ ok: z.literal(true) }).strict(),
  /** The OpenAPI 3.1 document itself (docs/openapi.json); its inside is OpenAPI's own schema, checked by a validator in the tests. */
  'GET /api/v1/openapi.json': z
    .object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }).passthrough(), paths: z.record(z.unknown()) })
    .passthrough(),
} as const;

/** A route of {@link RESPONSES}. */
export type ApiRoute = keyof typeof RESPONSES;
/** The body a route answers with on success. */
export type ResponseBody<R extends ApiRoute> = z.infer<(typeof RESPONSES)[R]>;
