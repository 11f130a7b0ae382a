import { z } from 'zod';
import { explicitPointSchema } from './messages.js';
import { isSystemMetric, SYSTEM_METRIC_PREFIX } from './system-metrics.js';

/**
 * The sidecar protocol (issue 12, docs/clients.md): newline-delimited JSON events a client in any
 * language writes to the stdin of `exec-track record`, and the ones the sidecar answers with on its
 * stdout. Times are ms since epoch UTC; an event without `ts` gets the time the sidecar read it.
 */

/** The protocol version this build speaks (2 added `output`); a `start` with another one than 1 or 2 is refused. */
export const SIDECAR_PROTOCOL = 2;

/** The most raw bytes one `output` event may announce. */
export const MAX_OUTPUT_BYTES = 64 * 2 ** 20;

const ts = z.number().int().nonnegative().optional();
const metricValue = explicitPointSchema.shape.value;

/** The first event: opens the execution. `session`/`name` as `run --session/--name`; `command` is what the report shows as the command. */
export const startEvent = z.object({
  type: z.literal('start'),
  protocol: z.union([z.literal(1), z.literal(SIDECAR_PROTOCOL)]),
  name: z.string().max(200).nullish(),
  session: z.string().min(1).max(200).nullish(),
  /** What is being tracked, e.g. `["python3", "train.py"]`; default `[name ?? "block"]`. */
  command: z.array(z.string()).min(1).max(1000).optional(),
  /** A description of the block (e.g. `cell 3`, `train.py:12 fit()`), shown as the last word of the command. */
  description: z.string().max(1000).nullish(),
  ts,
});

/** One line of output, without its newline (a text holding `\n` is several lines). */
export const lineEvent = z.object({
  type: z.literal('line'),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
  ts,
});

/**
 * Output as the program wrote it (protocol 2): this line is followed by exactly `bytes` raw bytes
 * (UTF-8 text cut anywhere, not JSON), which the sidecar splits into lines as `run` does a child's.
 */
export const outputEvent = z.object({
  type: z.literal('output'),
  stream: z.enum(['stdout', 'stderr']),
  bytes: z.number().int().nonnegative().max(MAX_OUTPUT_BYTES),
  ts,
});
export type OutputEvent = z.infer<typeof outputEvent>;

/** Metric points sent directly: `values` maps keys to values, all at `step` (default: each key's previous step + 1). */
export const metricsEvent = z.object({
  type: z.literal('metrics'),
  values: z
    .record(
      z
        .string()
        .min(1)
        .max(200)
        .refine((key) => !isSystemMetric(key), `keys under ${SYSTEM_METRIC_PREFIX} are exec-track's own resource samples`),
      metricValue,
    )
    .refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 1000, 'values must hold 1 to 1000 keys'),
  step: z.number().int().nonnegative().optional(),
  ts,
});

/** The end: `ok` → `Passive`; otherwise `Execution crushed` with `reason` (and `signal`, `exitCode` when known). */
export const finishEvent = z.object({
  type: z.literal('finish'),
  ok: z.boolean(),
  reason: z.string().max(1000).nullish(),
  signal: z.string().max(32).nullish(),
  exitCode: z.number().int().nullish(),
  ts,
});

/** Any event after `start`. */
export const sidecarEvent = z.discriminatedUnion('type', [startEvent, lineEvent, outputEvent, metricsEvent, finishEvent]);
export type SidecarEvent = z.infer<typeof sidecarEvent>;
export type StartEvent = z.infer<typeof startEvent>;
export type FinishEvent = z.infer<typeof finishEvent>;

/**
 * What the sidecar writes on its stdout, one JSON object a line: `started` once the execution is
 * open, `finished` once its outcome is recorded (or handed to the spool).
 */
export const sidecarReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), executionId: z.string(), sessionId: z.string() }),
  z.object({ type: z.literal('finished'), state: z.enum(['Passive', 'Execution crushed', 'Exec crushed']) }),
]);
export type SidecarReply = z.infer<typeof sidecarReply>;
