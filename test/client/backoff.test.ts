import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/client/backoff.js';

describe('Backoff', () => {
  it.each([
    [0, [50, 100, 200, 400, 800, 1000, 1000]],
    [0.999_999, [100, 200, 400, 800, 1600, 2000, 2000]],
  ])('doubles from the base up to the cap, jittered into the upper half (random %f)', (r, expected) => {
    const backoff = new Backoff({ baseMs: 100, capMs: 2000, random: () => r });
    expect(Array.from({ length: expected.length }, () => backoff.next())).toEqual(expected);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ random: () => 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
  });
});
