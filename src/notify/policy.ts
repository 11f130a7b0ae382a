/**
 * Delivery policy (issue 15 point 4, docs/notifications.md "Retries"): what an answer means and when
 * to try again. Times in ms.
 */

/** What to do with a message after one attempt. */
export type Verdict =
  | { kind: 'sent' }
  /** Never retried: the hook is gone (404, 410) or refuses this message for good. */
  | { kind: 'permanent' }
  /** `afterMs`: the receiver's Retry-After, when it gave one. */
  | { kind: 'retry'; afterMs?: number };

/** The backoff settings (defaults in {@link DEFAULT_RETRY}). */
export interface RetryPolicy {
  /** Delay before the second attempt. */
  baseMs: number;
  /** Longest delay between two attempts. */
  capMs: number;
  /** A message still undelivered this long after it was queued is given up (`failed`). */
  giveUpMs: number;
}

/** 30 s doubling to at most 1 h, for 24 h: ~30 attempts, the last ones hourly. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 30_000, capMs: 3_600_000, giveUpMs: 86_400_000 };

/**
 * 2xx → sent. 404 and 410 (the hook was deleted: Slack's `no_service`/`channel_is_archived`, Discord's
 * Unknown Webhook) and 400, 401, 403, 413, 422 (this message or this URL will never be accepted) →
 * permanent. 429 → retry after its `Retry-After`; anything else (5xx, 408, redirects, network errors
 * as `status` null) → retry.
 */
export function judge(status: number | null, retryAfter: string | null, now: number): Verdict {
  if (status === null) return { kind: 'retry' };
  if (status >= 200 && status < 300) return { kind: 'sent' };
  if (PERMANENT.has(status)) return { kind: 'permanent' };
  const afterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter, now) : undefined;
  return afterMs === undefined ? { kind: 'retry' } : { kind: 'retry', afterMs };
}

const PERMANENT = new Set([400, 401, 403, 404, 410, 413, 422]);

/**
 * `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3) → ms from `now` (≥ 0), capped
 * at 6 h so a hostile answer cannot park a message for ever; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), 6 * 3_600_000);
}

/**
 * The delay before attempt `attempt + 1` after `attempt` failures (1-based): exponential
 * (`baseMs · 2^(attempt-1)`, capped at `capMs`) with "equal jitter" (half fixed, half random, AWS
 * Architecture Blog, "Exponential Backoff And Jitter"), so many messages failing together spread out.
 * `random` in [0, 1).
 */
export function backoff(attempt: number, policy: RetryPolicy, random: number = Math.random()): number {
  const delay = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(delay / 2 + (delay / 2) * random);
}
