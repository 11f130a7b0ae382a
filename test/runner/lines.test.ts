import { describe, expect, it } from 'vitest';
import { LineSplitter, type LineLimits, type SplitLine } from '../../src/runner/lines.js';

/** Splits `input` fed in chunks of `size` bytes (0 = one chunk) and returns the lines without ts. */
function split(input: Buffer | string, size = 0, limits: Partial<LineLimits> = {}): Omit<SplitLine, 'ts'>[] {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const lines: Omit<SplitLine, 'ts'>[] = [];
  const splitter = new LineSplitter(({ ts: _ts, frameTs: _frameTs, ...line }) => lines.push(line), limits);
  const step = size || bytes.length || 1;
  for (let i = 0; i < bytes.length; i += step) splitter.push(bytes.subarray(i, i + step), 1);
  splitter.end();
  return lines;
}

const CHUNKINGS = [0, 1, 2, 3, 7];

describe('LineSplitter', () => {
  it('stamps each redraw frame with the read time of its last bytes, and the line with the time it ended', () => {
    const lines: SplitLine[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('\rtrain 0% loss=1.0'), 100);
    splitter.push(Buffer.from('\rtrain 50%'), 200);
    splitter.push(Buffer.from(' loss=0.5'), 300);
    splitter.push(Buffer.from('\rtrain 100% loss=0.0'), 400);
    splitter.push(Buffer.from('\n'), 500);
    expect(lines).toEqual([{ ts: 500, text: 'train 100% loss=0.0', frames: ['train 0% loss=1.0', 'train 50% loss=0.5'], frameTs: [100, 300] }]);
  });

  it.each<[string, string | Buffer, Omit<SplitLine, 'ts'>[]]>([
    ['splits at LF', 'a\nbb\n', [{ text: 'a' }, { text: 'bb' }]],
    ['keeps empty lines', 'a\n\n\nb\n', [{ text: 'a' }, { text: '' }, { text: '' }, { text: 'b' }]],
    ['drops the CR of CRLF', 'one\r\ntwo\r\n', [{ text: 'one' }, { text: 'two' }]],
    ['keeps a final line without newline as partial', 'a\nfatal: out of disk', [{ text: 'a' }, { text: 'fatal: out of disk', partial: true }]],
    ['emits nothing for empty input', '', []],
    [
      'collapses CR redraws to the last frame and keeps earlier frames',
      '\rtrain   0% loss=1.00\rtrain  50% loss=0.50\rtrain 100% loss=0.00\ndone\n',
      [{ text: 'train 100% loss=0.00', frames: ['train   0% loss=1.00', 'train  50% loss=0.50'] }, { text: 'done' }],
    ],
    ['shows the last non-empty frame when a line ends with CR', 'p 10%\rp 20%\r\r\n', [{ text: 'p 20%', frames: ['p 10%'] }]],
    ['flushes a redraw line without newline as partial', '\rp 1\rp 2', [{ text: 'p 2', partial: true, frames: ['p 1'] }]],
    ['keeps a lone CRLF as an empty line', '\r\n', [{ text: '' }]],
    [
      'strips ANSI colours and OSC titles (FC-06)',
      '\x1b[1mepoch\x1b[0m=3 loss=\x1b[31m0.25\x1b[0m \x1b]0;title\x07done\n',
      [{ text: 'epoch=3 loss=0.25 done' }],
    ],
    ['ignores frames that are only escape codes', 'a\r\x1b[2Kb\n', [{ text: 'b', frames: ['a'] }]],
    [
      'replaces invalid UTF-8 with U+FFFD (FC-05)',
      Buffer.from('caf\xe9 \x97 loss=0.7\n\xff\xfe raw\n', 'latin1'),
      [{ text: 'caf\uFFFD \uFFFD loss=0.7' }, { text: '\uFFFD\uFFFD raw' }],
    ],
    ['keeps multi-byte characters whole', 'héllo → 世界 🎉\n', [{ text: 'héllo → 世界 🎉' }]],
    [
      'replaces a sequence cut by a newline the same, whole chunk or line by line',
      Buffer.from('ab\xe2\x82\n\xe2\x82\xacx\n\xf0\x9f\n', 'latin1'),
      [{ text: 'ab\uFFFD' }, { text: '€x' }, { text: '\uFFFD' }],
    ],
    [
      'strips escapes only where they are in a chunk of plain lines',
      'plain\n\x1b[32mok\x1b[0m\nend\nrest',
      [{ text: 'plain' }, { text: 'ok' }, { text: 'end' }, { text: 'rest', partial: true }],
    ],
  ])('%s', (_name, input, expected) => {
    for (const size of CHUNKINGS) expect(split(input, size), `chunk size ${size}`).toEqual(expected);
  });

  it('cuts a long line, flags it truncated and gives its original byte length', () => {
    const long = 'x'.repeat(50);
    for (const size of CHUNKINGS) {
      expect(split(`${long}\nok\n`, size, { maxLineBytes: 16 })).toEqual([{ text: 'x'.repeat(16), truncated: true, byteLength: 50 }, { text: 'ok' }]);
    }
  });

  it('never cuts a multi-byte character in half', () => {
    expect(split('ab€€\n', 0, { maxLineBytes: 4 })).toEqual([{ text: 'ab', truncated: true, byteLength: 8 }]);
    expect(split('a😀b\n', 0, { maxLineBytes: 5 })).toEqual([{ text: 'a😀', truncated: true, byteLength: 6 }]);
  });

  it('cuts lines over 1 MiB by default', () => {
    const [line] = split(`${'y'.repeat(3 * 1024 * 1024)}\n`, 64 * 1024);
    expect(line).toEqual({ text: 'y'.repeat(1024 * 1024), truncated: true, byteLength: 3 * 1024 * 1024 });
  });

  it('hands every redraw frame on, a snapshot line every maxFrames redraws, never holding more frames', () => {
    const input = `${Array.from({ length: 10 }, (_, i) => `\rstep=${i}`).join('')}\n`;
    expect(split(input, 0, { maxFrames: 3 })).toEqual([
      { text: 'step=2', frames: ['step=0', 'step=1'] },
      { text: 'step=5', frames: ['step=3', 'step=4'] },
      { text: 'step=8', frames: ['step=6', 'step=7'] },
      { text: 'step=9' },
    ]);
  });

  it('lets 20 000 redraws of one line all reach the metric parser, with at most 1000 frames per emitted line', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => (i === 5 ? 99 : i % 7));
    const lines = split(`${values.map((v) => `\rloss=${v}`).join('')}\n`, 4096);
    const seen = lines.flatMap((l) => [...(l.frames ?? []), l.text]).map((t) => Number(t.slice(5)));
    expect(seen).toEqual(values);
    expect(Math.max(...lines.map((l) => l.frames?.length ?? 0))).toBeLessThanOrEqual(1000);
  });

  it('does not keep frames longer than the frame limit', () => {
    expect(split(`${'z'.repeat(20)}\rshort\rend\n`, 0, { maxFrameBytes: 10 })).toEqual([{ text: 'end', frames: ['short'] }]);
  });

  it('stamps each line with the read time of the chunk that completed it', () => {
    const stamps: number[] = [];
    const splitter = new LineSplitter((line) => stamps.push(line.ts));
    splitter.push(Buffer.from('first\nsec'), 100);
    splitter.push(Buffer.from('ond\nthird'), 200);
    splitter.end(300);
    expect(stamps).toEqual([100, 200, 300]);
  });

  it('splits 100 000 lines fed in large chunks', () => {
    const input = Buffer.from(Array.from({ length: 100_000 }, (_, i) => `i=${i} loss=0.5\n`).join(''));
    const lines = split(input, 65536);
    expect(lines).toHaveLength(100_000);
    expect(lines[99_999]).toEqual({ text: 'i=99999 loss=0.5' });
  });
});
