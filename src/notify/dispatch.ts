import { formatDuration } from '../report/format.js';
import type { Clock } from '../clock.js';
import { backoff, judge, type RetryPolicy } from './policy.js';
import { post } from './send.js';
import type { NotifyStore, OutboxMessage, Settlement } from './store.js';
import { maskUrl } from './target.js';

/** Options of {@link Dispatcher}. Times in ms. */
export interface DispatchOptions {
  retry: RetryPolicy;
  /** Per attempt. */
  timeoutMs: number;
  /** How long a claimed message is reserved for its claimer (longer than `timeoutMs`). */
  leaseMs: number;
  clock: Clock;
  /** One line per failed attempt; only masked URLs, statuses and delays, never ids or bodies. */
  log: (line: string) => void;
  /** [0, 1); default Math.random. */
  random?: () => number;
}

/** Messages claimed per round. */
const BATCH = 16;

/**
 * Sends due outbox messages (issue 15 point 4): claims a batch (leased, so no other process or
 * instance sends it meanwhile), POSTs each, and records the verdict of {@link judge}: sent; failed
 * for good; or pending again after Retry-After or the {@link backoff}, until `retry.giveUpMs` after
 * it was queued. A crash between a POST and its record sends the message again after the lease: the
 * receiver tells the repeat by its `Idempotency-Key`.
 */
export class Dispatcher {
  readonly #store: NotifyStore;
  readonly #options: DispatchOptions;

  constructor(store: NotifyStore, options: DispatchOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Sends what is due now, round after round, until nothing is due or `until` (ms since epoch) passed; returns how many were sent. */
  async drain(until = Number.POSITIVE_INFINITY): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = this.#options.clock();
      if (now > until) return sent;
      const batch = await this.#store.claim(now, BATCH, this.#options.leaseMs);
      if (batch.length === 0) return sent;
      // no send outlives `until`: an embedded run's bounded wait holds even for a receiver that never answers
      const timeoutMs = Math.max(1, Math.min(this.#options.timeoutMs, until - now));
      const results = await Promise.all(batch.map((m) => this.#attempt(m, timeoutMs)));
      sent += results.filter((s) => s.state === 'sent').length;
    }
  }

  async #attempt(m: OutboxMessage, timeoutMs: number): Promise<Settlement> {
    const answer = await post(m.url, { headers: m.headers, body: m.body }, timeoutMs);
    const now = this.#options.clock();
    const verdict = judge(answer.status, answer.retryAfter, now);
    const what = `${m.kind} notification to ${maskUrl(m.url)}`;
    const status = answer.status === null ? `no answer (${answer.text})` : `HTTP ${answer.status}`;
    let settlement: Settlement;
    let line: string | undefined;
    if (verdict.kind === 'sent') {
      settlement = { state: 'sent', status: answer.status, error: null, at: now };
    } else if (verdict.kind === 'permanent') {
      settlement = { state: 'failed', status: answer.status, error: status, at: now };
      line = `${what} refused with ${status}; not retried`;
    } else {
      const delay = verdict.afterMs ?? backoff(m.attempts + 1, this.#options.retry, (this.#options.random ?? Math.random)());
      if (now + delay - m.createdAt > this.#options.retry.giveUpMs) {
        settlement = { state: 'failed', status: answer.status, error: `${status}; given up`, at: now };
        line = `${what} failed with ${status}; given up after ${m.attempts + 1} attempts`;
      } else {
        settlement = { state: 'pending', nextAt: now + delay, status: answer.status, error: status, at: now };
        line = `${what} failed with ${status}; retry in ${formatDuration(delay)}`;
      }
    }
    // recorded before it is told: a line in the log means the store knows
    await this.#store.settle(m.id, settlement);
    if (line) this.#options.log(`exec-track: ${line}`);
    return settlement;
  }
}
