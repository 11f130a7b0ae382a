import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { countOf, formatCommand, formatDuration, formatLocalTime, formatNumber, formatOutcome } from '../../src/report/format.js';

describe('formatDuration', () => {
  it.each([
    [null, '-'],
    [0, '0ms'],
    [340, '340ms'],
    [1_234, '1.2s'],
    [9_999, '9.9s'],
    [42_000, '42s'],
    [60_000, '1m'],
    [192_000, '3m 12s'],
    [3_600_000, '1h'],
    [5 * 3_600_000 + 7 * 60_000 + 59_000, '5h 7m'],
    [2 * 86_400_000 + 3 * 3_600_000 + 1_000, '2d 3h'],
  ])('formats %s ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatLocalTime', () => {
  it('shows the local wall-clock time of an instant', () => {
    const ms = new Date(2026, 10, 30, 13, 4, 5).getTime();
    expect(formatLocalTime(ms)).toBe('2026-11-30 13:04:05');
  });

  it('shows a dash for a missing time', () => {
    expect(formatLocalTime(null)).toBe('-');
  });
});

describe('formatNumber', () => {
  it.each([
    [0.9571, '0.9571'],
    [4.5e-5, '0.000045'],
    [1 / 3, '0.333333'],
    [12, '12'],
    [123456789012, '123457000000'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
    [null, '-'],
  ])('formats %s as %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe('formatCommand', () => {
  it('quotes arguments a shell would split or expand', () => {
    expect(formatCommand(['python3', 'train.py', '--name', 'my run', "it's", '*.csv'])).toBe(`python3 train.py --name 'my run' 'it'\\''s' '*.csv'`);
  });
});

describe('formatCommand on one line', () => {
  it("shows an argument with a control character as $'…' with C escapes", () => {
    expect(formatCommand(['python3', '-c', 'import sys\nprint(1)'])).toBe(`python3 -c $'import sys\\nprint(1)'`);
    expect(formatCommand(['printf', "it's\tnew\r\x1b[0m\x01\\"])).toBe(`printf $'it\\'s\\tnew\\r\\e[0m\\x01\\\\'`);
  });

  it('is read back by a POSIX shell (bash) as the same argv', () => {
    const argv = ['new\nline', "it's", 'a b', '', '$HOME', 'tab\there', '\x1b[31mred', 'back\\slash\n', "q'\n'", '--lr=0.1'];
    const out = execFileSync('bash', ['-c', `printf '%s\\0' ${formatCommand(argv)}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(argv);
  });
});

describe('countOf', () => {
  it('groups thousands and makes the noun plural unless the count is 1', () => {
    expect([countOf(0, 'line'), countOf(1, 'line'), countOf(50_005, 'line'), countOf(1, 'execution')]).toEqual([
      '0 lines',
      '1 line',
      '50,005 lines',
      '1 execution',
    ]);
  });
});

describe('formatOutcome', () => {
  it.each([
    [{ exitCode: 0, signal: null, reason: null }, 'exit code 0'],
    [{ exitCode: 3, signal: null, reason: 'exited with code 3' }, 'exited with code 3'],
    [{ exitCode: 3, signal: null, reason: 'exited with code 3; 12 lines dropped' }, 'exited with code 3; 12 lines dropped'],
    [{ exitCode: 143, signal: 'SIGTERM', reason: 'killed by SIGTERM' }, 'exit code 143 \u00b7 killed by SIGTERM'],
    [{ exitCode: null, signal: 'SIGKILL', reason: null }, 'signal SIGKILL'],
    [{ exitCode: null, signal: null, reason: 'lost contact (no heartbeat for 60s)' }, 'lost contact (no heartbeat for 60s)'],
    [{ exitCode: null, signal: null, reason: null }, '-'],
  ])('says %j once: %s', (outcome, text) => {
    expect(formatOutcome(outcome)).toBe(text);
  });
});
