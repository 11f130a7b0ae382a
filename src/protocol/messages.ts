import { z } from 'zod';
import { STATES } from './states.js';

/**
 * Wire schemas shared by client and server: REST bodies and WebSocket frames (DESIGN §6).
 * Every body and frame is validated against these at the boundary.
 */

export const sessionIdSchema = z.string().regex(/^s_[A-Za-z0-9_-]{22}$/);
export const executionIdSchema = z.string().regex(/^e_[A-Za-z0-9_-]{22}$/);

export const metricsConfigSchema = z.object({
  enabled: z.boolean(),
  pattern: z.string().max(1000).nullish(),
});

export const reportLineSchema = z.object({
  seq: z.number().int().nonnegative(),
  ts: z.number().int().nonnegative(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
  partial: z.boolean().optional(),
  truncated: z.boolean().optional(),
  byteLength: z.number().int().nonnegative().optional(),
  frames: z.array(z.string()).optional(),
  frameTs: z.array(z.number().int().nonnegative()).optional(),
});

export const resourceUsageSchema = z.object({
  peakRssBytes: z.number().nonnegative().nullable(),
  userCpuMs: z.number().nonnegative(),
  systemCpuMs: z.number().nonnegative(),
});

export const outcomeSchema = z.object({
  state: z.enum(['Passive', 'Execution crushed', 'Exec crushed']),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  reason: z.string().max(1000).nullable(),
  endedAt: z.number().int().nonnegative(),
  usage: resourceUsageSchema.nullish(),
});

export const executionContextSchema = z.object({
  git: z.object({ commit: z.string().max(64), branch: z.string().max(255).nullable(), dirty: z.boolean() }).nullable(),
  version: z.string().max(64),
});

/** One explicit metric point ({@link NewMetricPoint}); JSON numbers cannot hold NaN or ±Infinity, so neither can it. */
export const newMetricPointSchema = z.object({
  key: z.string().min(1).max(200),
  value: z.number(),
  step: z.number().int().nonnegative().optional(),
  ts: z.number().int().nonnegative(),
});

/** POST /api/v1/sessions */
export const createSessionBody = z.object({
  id: sessionIdSchema.optional(),
  title: z.string().min(1).max(200),
});

/** POST /api/v1/sessions/:id/executions */
export const createExecutionBody = z.object({
  id: executionIdSchema.optional(),
  name: z.string().max(200).nullable().default(null),
  command: z.array(z.string()).min(1),
  cwd: z.string().max(4096).default(''),
  host: z.string().max(255).default(''),
  pid: z.number().int().nullable().default(null),
  startedAt: z.number().int().nonnegative(),
  metrics: metricsConfigSchema.default({ enabled: true }),
  context: executionContextSchema.nullish(),
});

/** POST /api/v1/executions/:id/reports */
export const appendReportsBody = z.object({ lines: z.array(reportLineSchema).max(10_000) });

/** POST /api/v1/executions/:id/finish */
export const finishBody = z.object({ outcome: outcomeSchema });

/** Frames a wrapper sends on `WS /api/v1/executions/:id/stream`. Heartbeats are WebSocket pings. */
export const clientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lines'), lines: z.array(reportLineSchema).max(10_000) }),
  z.object({ type: z.literal('finish'), outcome: outcomeSchema }),
  /** Explicit metric points (not read from lines), stored in frame order with the lines. */
  z.object({ type: z.literal('metrics'), points: z.array(newMetricPointSchema).max(10_000) }),
]);
export type ClientFrame = z.infer<typeof clientFrame>;

/**
 * Frames the server sends on the stream socket:
 * - `welcome` on connect: `lastSeq` is the highest contiguous seq stored (-1 when none): resume after it.
 * - `ack` after each stored batch, same meaning.
 * - `finished` once the final state is stored.
 * - `error` before closing with 1008/1009.
 */
export type ServerFrame =
  | { type: 'welcome'; lastSeq: number }
  | { type: 'ack'; lastSeq: number }
  | { type: 'finished'; state: (typeof STATES)[number] }
  | { type: 'error'; error: { code: string; message: string } };
