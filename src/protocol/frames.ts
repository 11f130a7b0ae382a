import { z } from 'zod';
import { errorBodySchema, executionJsonSchema, metricPointJsonSchema, reportJsonSchema } from './responses.js';
import { STATES } from './states.js';

/**
 * Schemas of the frames the server sends on its WebSockets (docs/api.md); clients parse with them
 * instead of trusting the shape. Frames a client sends are in messages.ts.
 */

const lastSeqSchema = z.number().int().min(-1);
const errorFrame = z
  .object({ type: z.literal('error') })
  .merge(errorBodySchema)
  .strict();

/**
 * Frames the server sends on the stream socket (`WS /api/v1/executions/:id/stream`):
 * - `welcome` on connect: `lastSeq` is the highest contiguous seq stored (-1 when none): resume after it.
 * - `ack` after each stored batch, same meaning.
 * - `finished` once the final state is stored.
 * - `error` before closing with 1008/1009.
 */
export const streamServerFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), lastSeq: lastSeqSchema }).strict(),
  z.object({ type: z.literal('ack'), lastSeq: lastSeqSchema }).strict(),
  z.object({ type: z.literal('finished'), state: z.enum(STATES) }).strict(),
  errorFrame,
]);
export type StreamServerFrame = z.infer<typeof streamServerFrame>;

const executionFrame = z.object({ type: z.literal('execution'), execution: executionJsonSchema }).strict();

/** Frames of the follow socket (`WS /api/v1/executions/:id/follow`): the execution, its lines, its metric points. */
export const followFrame = z.discriminatedUnion('type', [
  executionFrame,
  z.object({ type: z.literal('reports'), reports: z.array(reportJsonSchema) }).strict(),
  z.object({ type: z.literal('metrics'), points: z.array(metricPointJsonSchema) }).strict(),
  errorFrame,
]);
export type FollowFrame = z.infer<typeof followFrame>;

/** Frames of the session follow socket (`WS /api/v1/sessions/:id/follow`): one per execution created or changed. */
export const sessionFollowFrame = z.discriminatedUnion('type', [executionFrame, errorFrame]);
export type SessionFollowFrame = z.infer<typeof sessionFollowFrame>;
