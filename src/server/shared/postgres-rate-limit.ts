import { createHmac } from 'node:crypto';
import type { RateWindows } from '../../store/postgres/rate-windows.js';
import type { RateDecision, RateLimiter } from '../rate-limit.js';

/**
 * The per-IP hourly limit shared by every instance (issue 13 point 3): fixed windows aligned to
 * the clock (`now - now % windowMs`), counted in PostgreSQL, so a client spreading requests over
 * the instances behind a load balancer meets one limit. The database holds an HMAC-SHA256 of the
 * IP under a server secret, never the IP, and forgets a window once it has ended. A limit of 0 is off.
 */
export class PostgresRateLimiter implements RateLimiter {
  readonly #windows: RateWindows;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #secret: Buffer;

  constructor(windows: RateWindows, limit: number, windowMs: number, secret: Buffer) {
    this.#windows = windows;
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#secret = secret;
  }

  async hit(ip: string, now: number): Promise<RateDecision> {
    if (this.#limit <= 0) return { ok: true };
    const start = now - (now % this.#windowMs);
    const count = await this.#windows.hit(createHmac('sha256', this.#secret).update(ip).digest('base64url'), start);
    if (count <= this.#limit) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((start + this.#windowMs - now) / 1000)) };
  }
}
