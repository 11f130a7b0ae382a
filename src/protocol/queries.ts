import { z } from 'zod';
import { executionIdSchema, sessionIdSchema } from './messages.js';
import { MAX_POINT_KEYS, MAX_SEARCH_QUERY } from './query-limits.js';
import { MAX_OPEN_IDS } from './socket-limits.js';

/**
 * Path parameters and query strings of the REST routes and sockets (docs/api.md). Numbers arrive
 * as strings and are coerced. The server declares them on its routes (src/server/routes/), which is
 * also where docs/openapi.json takes them from.
 */

/** `:id` of a session route. A malformed id gets the same 404 as an unknown one (issue 4 point 1). */
export const sessionParams = z.object({ id: sessionIdSchema });
/** `:id` of an execution route; malformed → 404 as for {@link sessionParams}. */
export const executionParams = z.object({ id: executionIdSchema });

/** Most lines one `GET …/reports` returns; page with `after` for more. */
export const MAX_PAGE = 10_000;

/** Most hits one search answers; continue with `after` for more. */
export const MAX_SEARCH_HITS = 10_000;
/** Most buckets a downsampled series may ask for (a few per pixel of a 4K-wide chart). */
export const MAX_BUCKETS = 10_000;

const seqBound = z.coerce.number().int().min(-1);
const pageSize = z.coerce.number().int().min(1).max(MAX_PAGE);

/** GET /api/v1/executions/:id/reports: lines after/before a seq (paging), or the last `tail` lines. */
export const reportsQuery = z.object({
  after: seqBound.optional().describe('Lines with a seq greater than this'),
  before: z.coerce.number().int().min(0).optional().describe('Lines with a seq less than this (newest first page)'),
  limit: pageSize.default(1000).describe('Most lines in the page'),
  tail: pageSize.optional().describe('The last N lines instead of a page'),
});

/** GET /api/v1/executions/:id/metrics: one metric key, or all. */
export const metricsQuery = z.object({ key: z.string().max(200).optional().describe('One metric key; all when omitted') });

/** A seq in a socket URL: a whole number, or -1. */
const seqText = z
  .string()
  .regex(/^(-1|\d{1,15})$/, 'must be a seq (a whole number, or -1)')
  .transform(Number);

/**
 * `WS /api/v1/executions/:id/follow?after=<seq>&pointsAfter=<seq>`: a reconnecting follower resumes
 * after the last line and the last metric point it saw (each -1 when absent: the whole backlog).
 */
export const followQuery = z.object({
  after: seqText.optional().describe('The follower has the lines up to this seq'),
  pointsAfter: seqText.optional().describe('The follower has the metric points up to this seq (at most `after`; default `after`)'),
});

/**
 * `WS /api/v1/sessions/:id/follow?after=<execution id>&open=<ids>`: a reconnecting follower has the
 * session's executions up to `after` (in the session's order) and shows those of `open` as not
 * ended; the backlog is then the executions after `after` and those of `open` (their state may have
 * changed meanwhile). Without `after`, or when it is no longer in the session: every execution.
 */
export const sessionFollowQuery = z.object({
  after: executionIdSchema.optional().describe("The follower has the session's executions up to this one"),
  open: z
    .string()
    .max(MAX_OPEN_IDS * 40)
    .transform((s) => s.split(',').filter((id) => id !== ''))
    .pipe(z.array(executionIdSchema).max(MAX_OPEN_IDS))
    .optional()
    .describe('Comma-separated ids of the executions the follower shows as not ended (at most 200)'),
});
export type SessionFollowResume = z.infer<typeof sessionFollowQuery>;

/** GET /api/v1/executions/:id/points */
export const pointsQuery = z
  .object({
    /** Comma-separated metric keys; all keys when omitted. */
    keys: z
      .string()
      .max(10_000)
      .transform((s) => s.split(',').filter((k) => k !== ''))
      .pipe(z.array(z.string().max(200)).max(MAX_POINT_KEYS))
      .optional()
      .describe('Comma-separated metric keys; all when omitted'),
    /** Reduce each series to at most this many buckets, each keeping its min and max point. */
    buckets: z.coerce.number().int().min(1).max(MAX_BUCKETS).optional().describe('Reduce each series to at most this many buckets (min and max point of each)'),
    /** What `from`/`to` bound and buckets divide: the step (default) or the capture time (ms since epoch). */
    x: z.enum(['step', 'ts']).default('step').describe('What from/to bound and buckets divide: the step, or the capture time (ms since epoch)'),
    from: z.coerce.number().optional().describe('Lowest x kept'),
    to: z.coerce.number().optional().describe('Highest x kept'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be greater than to', path: ['from'] });
export type PointsQuery = z.infer<typeof pointsQuery>;

/** GET /api/v1/executions/:id/search */
export const searchQuery = z.object({
  q: z.string().min(1).max(MAX_SEARCH_QUERY).describe('Text to find in the lines (case-insensitive)'),
  after: seqBound.default(-1).describe('Search lines after this seq'),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_HITS).default(1000).describe('Most hits'),
});
