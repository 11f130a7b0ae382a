import { describe, expect, it } from 'vitest';
import { parseLines } from '../../src/cli/commands/report.js';
import { parseSort } from '../../src/report/sort.js';
import { parseTarget } from '../../src/report/target.js';
import { wireNumber, wireTime } from '../../src/report/wire.js';

describe('parseLines', () => {
  it.each([
    ['20', { tail: 20 }],
    ['0', { tail: 0 }],
    ['all', { all: true }],
  ])('reads %j', (value, selection) => {
    expect(parseLines(value)).toEqual(selection);
  });

  it.each(['ten', '-3', '1.5', '', 'ALL', '99999999999999999999'])('rejects %j as a usage error', (value) => {
    expect(() => parseLines(value)).toThrow(expect.objectContaining({ code: 'USAGE', exitCode: 2 }));
  });
});

describe('parseTarget', () => {
  it.each([
    [undefined, { kind: 'current' }],
    ['last', { kind: 'last' }],
    ['s_AAAAAAAAAAAAAAAAAAAAAA', { kind: 'session', id: 's_AAAAAAAAAAAAAAAAAAAAAA' }],
    ['e_AAAAAAAAAAAAAAAAAAAAAA', { kind: 'execution', id: 'e_AAAAAAAAAAAAAAAAAAAAAA' }],
  ])('reads %j', (value, spec) => {
    expect(parseTarget(value)).toEqual(spec);
  });

  it.each(['e_short', 'x_AAAAAAAAAAAAAAAAAAAAAA', 'latest', 'e_AAAAAAAAAAAAAAAAAAAAA!'])('rejects %j as a usage error', (value) => {
    expect(() => parseTarget(value)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('parseSort', () => {
  it('reads a leading - as descending', () => {
    expect(parseSort('-duration', ['duration'])).toEqual({ column: 'duration', descending: true });
    expect(parseSort('duration', ['duration'])).toEqual({ column: 'duration', descending: false });
  });
});

describe('wire decoding', () => {
  it.each([
    [0.5, 0.5],
    [null, Number.NaN],
    ['NaN', Number.NaN],
    ['nan', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['inf', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-inf', Number.NEGATIVE_INFINITY],
  ])('reads the metric value %j', (value, number) => {
    expect(wireNumber(value)).toBe(number);
  });

  it('reads times as ISO strings or ms', () => {
    expect(wireTime('2026-11-30T12:00:00.000Z')).toBe(Date.UTC(2026, 10, 30, 12));
    expect(wireTime(5)).toBe(5);
  });
});
