import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ExecTrackError } from '../errors.js';
import type { ServerContext } from './context.js';

/** Result of {@link RateLimiter.hit}. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Counts requests per client IP (issue 4 point 4). {@link rateLimitHook} depends on this interface
 * only, so a limiter shared by several server instances can replace
 * {@link FixedWindowRateLimiter}.
 */
export interface RateLimiter {
  /** Counts one request from `ip` at `now` (ms since epoch UTC) and says whether it may proceed. */
  hit(ip: string, now: number): Promise<RateDecision>;
}

/**
 * Fixed-window request counter per client IP, in this process. IPs live only in this map, in
 * memory, and are dropped when their window ends; nothing is logged or stored. A limit of 0 is off.
 */
export class FixedWindowRateLimiter implements RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();
  #lastSweep = 0;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  async hit(ip: string, now: number): Promise<RateDecision> {
    if (this.#limit <= 0) return { ok: true };
    this.#sweep(now);
    let window = this.#windows.get(ip);
    if (!window || now - window.start >= this.#windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(ip, window);
    }
    window.count += 1;
    if (window.count <= this.#limit) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.#windowMs - now) / 1000)) };
  }

  /** Number of IPs currently remembered (for tests of forgetting). */
  get size(): number {
    return this.#windows.size;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < this.#windowMs) return;
    this.#lastSweep = now;
    for (const [ip, window] of this.#windows) {
      if (now - window.start >= this.#windowMs) this.#windows.delete(ip);
    }
  }
}

/**
 * The client IP used for rate limiting: the socket's peer address, or with `trustProxy` the first
 * `X-Forwarded-For` entry (set by a reverse proxy you control; otherwise clients could forge it).
 */
export function clientIp(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor) {
    const first = (Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return remoteAddress ?? 'unknown';
}

/**
 * An `onRequest` hook counting each request (a WebSocket upgrade included) against the client's
 * IP; over the limit it answers 429 with `Retry-After`. Each plugin that is rate limited adds it
 * to its own scope (the API, the web pages); `/healthz` and the page assets do not.
 */
export function rateLimitHook(ctx: ServerContext): onRequestAsyncHookHandler {
  return async (request: FastifyRequest) => {
    const ip = clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], ctx.options.trustProxy);
    const decision = await ctx.limiter.hit(ip, ctx.clock());
    if (!decision.ok) throw rateLimited(decision.retryAfterSeconds);
  };
}

/** 429 with the seconds until the window ends (issue 4 point 4). */
export function rateLimited(retryAfterSeconds: number): ExecTrackError {
  return ExecTrackError.of('RATE_LIMITED', { from: 'this address', retryAfter: retryAfterSeconds });
}
