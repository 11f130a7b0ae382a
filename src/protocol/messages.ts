import { z } from 'zod';
import { TEXT_LIMITS } from './limits.js';
import { idPattern } from './ids.js';
import { FINAL_STATES } from './states.js';

/**
 * Wire schemas shared by client and server: REST bodies and WebSocket frames (DESIGN §6).
 * Every body and frame is validated against these at the boundary.
 */

export const sessionIdSchema = z.string().regex(idPattern('s'));
export const executionIdSchema = z.string().regex(idPattern('e'));
export const userIdSchema = z.string().regex(idPattern('u'));

/**
 * The largest time a JavaScript Date can hold (ms since epoch): 8.64e15, year 275760. Anything
 * beyond it cannot be shown as ISO 8601 (RangeError), so no time field may exceed it.
 */
export const MAX_TIME_MS = 8.64e15;

/** A time field on the wire: ms since epoch UTC, an integer a Date can hold. The server also checks it against its clock (src/server/time-window.ts). */
export const timeMsSchema = z.number().int().min(0).max(MAX_TIME_MS).describe('ms since epoch UTC');

export const metricsConfigSchema = z.object({
  enabled: z.boolean(),
  pattern: z.string().max(TEXT_LIMITS.metricsPattern).nullish(),
});

/**
 * A metric point a client sends directly instead of printing it (issue 12): `value` is a number, or
 * `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no literal for them); `step` defaults to the key's
 * previous step + 1, as for parsed points; `ts` is ms since epoch UTC.
 */
export const explicitPointSchema = z.object({
  key: z.string().min(1).max(200),
  value: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]),
  step: z.number().int().nonnegative().optional(),
  ts: z.number().int().nonnegative(),
});

/** Most lines one batch (REST body or `lines` frame) may carry. */
export const MAX_LINES_PER_BATCH = 10_000;

/**
 * One captured line of a report (DESIGN §5), the one definition of its shape: `ReportLine`
 * (protocol/types.ts) is derived from it, and the server's fast path (server/ws/lines-frame.ts)
 * accepts only a subset of what it accepts.
 */
export const reportLineSchema = z.object({
  /** Per-execution sequence number, 0-based, across both streams in read order. */
  seq: z.number().int().nonnegative(),
  /** Capture time, ms since epoch UTC, taken when the wrapper read the line. */
  ts: timeMsSchema,
  stream: z.enum(['stdout', 'stderr']),
  /** Stored text: ANSI stripped, decoded with U+FFFD replacement, redacted, after `\r` collapse. */
  text: z.string(),
  /** The final line of a stream, which had no trailing newline. */
  partial: z.boolean().optional(),
  /** Set when the line was longer than the line limit and cut; `byteLength` is its original size in bytes. */
  truncated: z.boolean().optional(),
  byteLength: z.number().int().nonnegative().optional(),
  /** Earlier `\r` redraw frames of this line (cleaned like `text`); read for metrics, never stored as lines. */
  frames: z.array(z.string()).optional(),
  /** Capture time of each of `frames` (ms since epoch UTC), in the same order: the time metric points read from it get. */
  frameTs: z.array(timeMsSchema).optional(),
  /**
   * Set on a points record instead of a line (issue 12): metric points sent directly, carried in
   * the seq order of lines so that every sink, spool, resend and sync carries them unchanged. Such a
   * record has `stream: 'stdout'` and `text: ''`; it is never stored, shown or counted as a line.
   */
  points: z.array(explicitPointSchema).min(1).max(1000).optional(),
});

export const resourceUsageSchema = z.object({
  peakRssBytes: z.number().nonnegative().nullable(),
  userCpuMs: z.number().nonnegative(),
  systemCpuMs: z.number().nonnegative(),
});

export const outcomeSchema = z.object({
  state: z.enum(FINAL_STATES),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  reason: z.string().max(TEXT_LIMITS.outcomeReason).nullable(),
  endedAt: timeMsSchema,
  usage: resourceUsageSchema.nullish(),
});

export const executionContextSchema = z.object({
  git: z.object({ commit: z.string().max(64), branch: z.string().max(255).nullable(), dirty: z.boolean() }).nullable(),
  version: z.string().max(64),
});

/** POST /api/v1/sessions */
export const createSessionBody = z.object({
  id: sessionIdSchema.optional(),
  title: z.string().min(1).max(TEXT_LIMITS.sessionTitle),
});

/** POST /api/v1/sessions/:id/executions */
export const createExecutionBody = z.object({
  id: executionIdSchema.optional(),
  name: z.string().max(TEXT_LIMITS.executionName).nullable().default(null),
  command: z.array(z.string()).min(1),
  cwd: z.string().max(TEXT_LIMITS.cwd).default(''),
  host: z.string().max(TEXT_LIMITS.host).default(''),
  pid: z.number().int().nullable().default(null),
  startedAt: timeMsSchema,
  metrics: metricsConfigSchema.default({ enabled: true }),
  context: executionContextSchema.nullish(),
});

/** POST /api/v1/executions/:id/reports */
export const appendReportsBody = z.object({ lines: z.array(reportLineSchema).max(MAX_LINES_PER_BATCH) });

/** POST /api/v1/executions/:id/finish */
export const finishBody = z.object({ outcome: outcomeSchema });

/** Frames a wrapper sends on `WS /api/v1/executions/:id/stream`. Heartbeats are WebSocket pings. */
export const clientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lines'), lines: z.array(reportLineSchema).max(MAX_LINES_PER_BATCH) }),
  z.object({ type: z.literal('finish'), outcome: outcomeSchema }),
  /** Explicit metric points (not read from lines), stored in frame order with the lines. */
]);
export type ClientFrame = z.infer<typeof clientFrame>;
