import { describe, expect, it } from 'vitest';
import { clientIp, FixedWindowRateLimiter } from '../../src/server/rate-limit.js';

describe('FixedWindowRateLimiter', () => {
  it('lets the limit through and refuses the next with the seconds left in the window', async () => {
    const limiter = new FixedWindowRateLimiter(3, 3_600_000);
    expect(await Promise.all([1, 2, 3].map(async () => (await limiter.hit('10.0.0.1', 0)).ok))).toEqual([true, true, true]);
    expect(await limiter.hit('10.0.0.1', 600_000)).toEqual({ ok: false, retryAfterSeconds: 3000 });
  });

  it('counts each address separately', async () => {
    const limiter = new FixedWindowRateLimiter(1, 1000);
    expect((await limiter.hit('a', 0)).ok).toBe(true);
    expect((await limiter.hit('b', 0)).ok).toBe(true);
    expect((await limiter.hit('a', 1)).ok).toBe(false);
  });

  it('starts a fresh window once the old one ends', async () => {
    const limiter = new FixedWindowRateLimiter(1, 1000);
    await limiter.hit('a', 0);
    expect((await limiter.hit('a', 999)).ok).toBe(false);
    expect((await limiter.hit('a', 1000)).ok).toBe(true);
  });

  it('forgets addresses whose window has ended', async () => {
    const limiter = new FixedWindowRateLimiter(1, 1000);
    await limiter.hit('a', 0);
    await limiter.hit('b', 900);
    await limiter.hit('c', 1500);
    expect(limiter.size).toBe(2);
  });

  it('is off at 0', async () => {
    const limiter = new FixedWindowRateLimiter(0, 1000);
    const decisions = await Promise.all(Array.from({ length: 100 }, () => limiter.hit('a', 0)));
    expect(decisions.every((d) => d.ok)).toBe(true);
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
