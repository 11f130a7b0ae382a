import { z } from 'zod';

/**
 * Query schemas of the read endpoints the web pages use (docs/api.md "Endpoints for pages").
 * Numbers arrive as strings and are coerced.
 */

/** Most hits one search answers; continue with `after` for more. */
export const MAX_SEARCH_HITS = 10_000;
/** Most buckets a downsampled series may ask for (a few per pixel of a 4K-wide chart). */
export const MAX_BUCKETS = 10_000;
/** Most keys one points request may name. */
export const MAX_POINT_KEYS = 50;

const seqBound = z.coerce.number().int().min(-1);

/** GET /api/v1/executions/:id/points */
export const pointsQuery = z
  .object({
    /** Comma-separated metric keys; all keys when omitted. */
    keys: z
      .string()
      .max(10_000)
      .transform((s) => s.split(',').filter((k) => k !== ''))
      .pipe(z.array(z.string().max(200)).max(MAX_POINT_KEYS))
      .optional(),
    /** Reduce each series to at most this many buckets, each keeping its min and max point. */
    buckets: z.coerce.number().int().min(1).max(MAX_BUCKETS).optional(),
    /** What `from`/`to` bound and buckets divide: the step (default) or the capture time (ms since epoch). */
    x: z.enum(['step', 'ts']).default('step'),
    from: z.coerce.number().optional(),
    to: z.coerce.number().optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be greater than to', path: ['from'] });
export type PointsQuery = z.infer<typeof pointsQuery>;

/** GET /api/v1/executions/:id/search */
export const searchQuery = z.object({
  q: z.string().min(1).max(1000),
  after: seqBound.default(-1),
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_HITS).default(1000),
});
