import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/report/colors.js';
import { exitCodeOf } from '../../src/report/follow.js';
import { execution } from './data.js';

describe('colorLevel', () => {
  it.each([
    [{ isTTY: false }, {}, 0],
    [{ isTTY: true }, { NO_COLOR: '1' }, 0],
    [{ isTTY: false }, { FORCE_COLOR: '0' }, 0],
    [{ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' }, 0],
  ])('is 0 for stream %j with env %j', (stream, env, level) => {
    expect(colorLevel(stream, env)).toBe(level);
  });

  it('gives colour to a non-TTY only when FORCE_COLOR asks', () => {
    expect(colorLevel({ isTTY: false }, { FORCE_COLOR: '1' })).toBeGreaterThan(0);
  });
});

describe('exitCodeOf', () => {
  it.each([
    ['exit code as recorded', execution({ state: 'Execution crushed', exitCode: 3 }), 3],
    ['0 for a clean exit', execution({ state: 'Passive', exitCode: 0 }), 0],
    ['128+N for a signal without a code', execution({ state: 'Execution crushed', exitCode: null, signal: 'SIGKILL' }), 137],
    ['1 for Exec crushed without a code', execution({ state: 'Exec crushed', exitCode: null, reason: 'lost contact' }), 1],
  ])('gives the %s', (_, e, code) => {
    expect(exitCodeOf(e)).toBe(code);
  });
});
