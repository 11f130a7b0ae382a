import { describe, expect, it } from 'vitest';
import { backoff, DEFAULT_RETRY, judge, parseRetryAfter } from '../../src/notify/policy.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('judge', () => {
  it.each([
    [200, null, { kind: 'sent' }],
    [204, null, { kind: 'sent' }],
    [404, null, { kind: 'permanent' }],
    [410, null, { kind: 'permanent' }],
    [403, null, { kind: 'permanent' }],
    [500, null, { kind: 'retry' }],
    [502, '5', { kind: 'retry' }],
    [503, '5', { kind: 'retry', afterMs: 5000 }],
    [429, '7', { kind: 'retry', afterMs: 7000 }],
    [429, 'Thu, 01 Jan 2026 00:00:30 GMT', { kind: 'retry', afterMs: 30_000 }],
    [429, 'soon', { kind: 'retry' }],
    [302, null, { kind: 'retry' }],
    [null, null, { kind: 'retry' }],
  ] as const)('HTTP %s (Retry-After %s) → %o', (status, retryAfter, verdict) => {
    expect(judge(status, retryAfter, NOW)).toEqual(verdict);
  });
});

describe('parseRetryAfter', () => {
  it('caps a hostile delay at 6 h and a past date at 0', () => {
    expect(parseRetryAfter('99999999', NOW)).toBe(6 * 3_600_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('doubles from the base with jitter between half and all of the delay, capped', () => {
    expect(backoff(1, DEFAULT_RETRY, 0)).toBe(15_000);
    expect(backoff(1, DEFAULT_RETRY, 0.999999)).toBeCloseTo(30_000, -1);
    expect(backoff(3, DEFAULT_RETRY, 0)).toBe(60_000);
    expect(backoff(40, DEFAULT_RETRY, 1)).toBe(DEFAULT_RETRY.capMs);
  });

  it('keeps retrying for hours: the default policy makes ~30 attempts over 24 h', () => {
    let t = 0;
    let attempts = 1;
    while (t + backoff(attempts, DEFAULT_RETRY, 0.5) <= DEFAULT_RETRY.giveUpMs) t += backoff(attempts++, DEFAULT_RETRY, 0.5);
    expect(attempts).toBeGreaterThan(20);
    expect(t).toBeGreaterThan(20 * 3_600_000);
  });
});
