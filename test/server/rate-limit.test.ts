import { describe, expect, it } from 'vitest';
import { clientIp, RateLimiter } from '../../src/server/rate-limit.js';

describe('RateLimiter', () => {
  it('lets the limit through and refuses the next with the seconds left in the window', () => {
    const limiter = new RateLimiter(3, 3_600_000);
    expect([1, 2, 3].map(() => limiter.hit('10.0.0.1', 0).ok)).toEqual([true, true, true]);
    expect(limiter.hit('10.0.0.1', 600_000)).toEqual({ ok: false, retryAfterSeconds: 3000 });
  });

  it('counts each address separately', () => {
    const limiter = new RateLimiter(1, 1000);
    expect(limiter.hit('a', 0).ok).toBe(true);
    expect(limiter.hit('b', 0).ok).toBe(true);
    expect(limiter.hit('a', 1).ok).toBe(false);
  });

  it('starts a fresh window once the old one ends', () => {
    const limiter = new RateLimiter(1, 1000);
    limiter.hit('a', 0);
    expect(limiter.hit('a', 999).ok).toBe(false);
    expect(limiter.hit('a', 1000).ok).toBe(true);
  });

  it('forgets addresses whose window has ended', () => {
    const limiter = new RateLimiter(1, 1000);
    limiter.hit('a', 0);
    limiter.hit('b', 900);
    limiter.hit('c', 1500);
    expect(limiter.size).toBe(2);
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0, 1000);
    expect(Array.from({ length: 100 }, () => limiter.hit('a', 0).ok).every(Boolean)).toBe(true);
  });
});

describe('clientIp', () => {
  it.each([
    ['127.0.0.1', '1.2.3.4, 5.6.7.8', false, '127.0.0.1'],
    ['127.0.0.1', '1.2.3.4, 5.6.7.8', true, '1.2.3.4'],
    ['127.0.0.1', undefined, true, '127.0.0.1'],
  ])('takes %s with X-Forwarded-For %s and trustProxy %s as %s', (remote, forwarded, trust, expected) => {
    expect(clientIp(remote, forwarded, trust)).toBe(expected);
  });
});
