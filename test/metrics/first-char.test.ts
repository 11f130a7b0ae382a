import { describe, expect, it } from 'vitest';
import { firstChars, startsWithOneOf } from '../../src/metrics/first-char.js';
import { createMetricParser, type StreamContext } from '../../src/metrics/parse.js';

describe('startsWithOneOf', () => {
  const set = firstChars(' eE');

  it.each([
    ['epoch 3', true],
    [' epoch 3', true],
    ['12:00:01 epoch 3', false],
    ['[12] epoch 3', false],
    ['', false],
    ['\u00e9poque 3', true],
    ['\u3000epoch 3', true],
  ])('answers %j → %s from the first character alone, never ruling out one outside ASCII', (text, expected) => {
    expect(startsWithOneOf(text, set)).toBe(expected);
  });
});

/** The first UTF-16 code units (hex, ranges) before `suffix` for which a line gives points or changes its stream's context. */
function firstCharsThatCount(suffix: string): string {
  const parse = createMetricParser({ enabled: true });
  const codes: number[] = [];
  for (let c = 0; c < 0x10000; c++) {
    const context: StreamContext = {};
    const points = parse(String.fromCharCode(c) + suffix, context);
    if (points.length > 0 || JSON.stringify(context) !== '{}') codes.push(c);
  }
  const ranges: string[] = [];
  for (let i = 0; i < codes.length;) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === codes[j]! + 1) j++;
    ranges.push(i === j ? codes[i]!.toString(16) : `${codes[i]!.toString(16)}-${codes[j]!.toString(16)}`);
    i = j + 1;
  }
  return ranges.join(' ');
}

// Unicode white space (\s, trim()) outside ASCII
const SPACE = 'a0 1680 2000-200a 2028-2029 202f 205f 3000 feff';

describe('the default grammar behind its first-character checks (issue 10)', () => {
  // Read from the grammar before the checks existed (build 1d196b4): a check may only spare a line
  // the regexes would have found nothing in, so every first character that counted still does.
  it.each([
    ['', ''],
    ['2:00:00.000 INFO job 0000001 ok', ''],
    ['NFO job 0000001 ok', ''],
    ['poch 3', '45 65'],
    ['POCH 5/10', '45 65'],
    ['tep 7', '53 73'],
    ['ter 2:', '49 69'],
    ['teration 4', '49 69'],
    [' epoch 6', `9-d 20 23 28 2a 2d 3d 5b ${SPACE}`],
    ['- Epoch 1 --', `9-d 20 23 28 2a 2d 3d 5b ${SPACE}`],
    ['rain loss  Val loss', `9-d 20 41-5a 61-7a ${SPACE}`],
    ['ter  Train Loss  OOB Improve', `9-d 20 41-5a 61-7a ${SPACE}`],
    ['  Iter  Loss', `9-d 20 41-5a 61-7a ${SPACE}`],
    ['oss=0.5', '0-25 27-2c 3a-3e 40-ffff'],
    ['oss: 0.25', '0-25 27-2c 3a-3e 40-ffff'],
  ])('finds something in a line of any first character then %j exactly as before', (suffix, counted) => {
    expect(firstCharsThatCount(suffix)).toBe(counted);
  });

  it('still reads a step header, a table and pairs after plain lines', () => {
    const parse = createMetricParser({ enabled: true });
    const context: StreamContext = {};
    const read = (line: string) => parse(line, context);
    expect(read('12:00:00.000 INFO job 0000001 ok')).toEqual([]);
    expect(read('Epoch 3/10')).toEqual([]);
    expect(read('[12:00:01] loading batch')).toEqual([]);
    expect(read('loss=0.25 acc=0.5')).toEqual([
      { key: 'loss', value: 0.25, step: 3 },
      { key: 'acc', value: 0.5, step: 3 },
    ]);
    expect(read('      Iter       Train Loss   Remaining Time')).toEqual([]);
    expect(read('         1           0.6931            0.33s')).toEqual([
      { key: 'Iter', value: 1, step: 1 },
      { key: 'Train Loss', value: 0.6931, step: 1 },
    ]);
    expect(read('done in 3 s')).toEqual([]);
    expect(context).toEqual({ step: 3, epoch: 3, columns: undefined });
  });
});
