import { describe, expect, it } from 'vitest';
import { clientFrame, MAX_LINES_PER_BATCH, MAX_TIME_MS, reportLineSchema } from '../../src/protocol/messages.js';
import { plainLinesFrame } from '../../src/server/ws/lines-frame.js';

const line = { seq: 0, ts: 1_700_000_000_000, stream: 'stdout', text: 'step=1 loss=0.5' };

describe('plainLinesFrame (hand-checked fast path of clientFrame)', () => {
  it.each([
    ['a plain lines frame', { type: 'lines', lines: [line, { ...line, seq: 1, stream: 'stderr' }] }],
    ['a line with every optional field', { type: 'lines', lines: [{ ...line, partial: true, truncated: true, byteLength: 2_000_000, frames: ['a', 'b'] }] }],
    ['an empty batch', { type: 'lines', lines: [] }],
  ])('accepts %s exactly as the schema parses it', (_name, frame) => {
    expect(plainLinesFrame(frame)).toEqual(clientFrame.parse(frame));
  });

  it.each([
    ['a finish frame', { type: 'finish', outcome: { state: 'Passive', exitCode: 0, signal: null, reason: null, endedAt: 1 } }],
    ['a negative seq', { type: 'lines', lines: [{ ...line, seq: -1 }] }],
    ['a fractional ts', { type: 'lines', lines: [{ ...line, ts: 1.5 }] }],
    ['an unknown stream', { type: 'lines', lines: [{ ...line, stream: 'stdin' }] }],
    ['a missing text', { type: 'lines', lines: [{ seq: 0, ts: 1, stream: 'stdout' }] }],
    ['a non-string frame', { type: 'lines', lines: [{ ...line, frames: [1] }] }],
    ['an unknown line key', { type: 'lines', lines: [{ ...line, extra: 1 }] }],
    ['an unknown frame key', { type: 'lines', lines: [line], extra: 1 }],
    ['a __proto__ key', JSON.parse('{"type":"lines","lines":[{"seq":0,"ts":1,"stream":"stdout","text":"x","__proto__":{}}]}')],
    ['too many lines', { type: 'lines', lines: Array.from({ length: 10_001 }, (_, seq) => ({ ...line, seq })) }],
    ['lines that are not an array', { type: 'lines', lines: { 0: line } }],
    ['null', null],
  ])('leaves %s to the schema', (_name, frame) => {
    expect(plainLinesFrame(frame)).toBeUndefined();
  });

  it('checks by hand only keys of reportLineSchema, and draws the line at the schema’s own limits', () => {
    const keys = Object.keys(reportLineSchema.shape);
    const everyHandKey = { ...line, partial: true, truncated: true, byteLength: 1, frames: ['a'], frameTs: [1] };
    expect(Object.keys(everyHandKey).every((k) => keys.includes(k))).toBe(true);
    expect(plainLinesFrame({ type: 'lines', lines: [everyHandKey] })).toBeDefined();
    const atLimits = { type: 'lines', lines: Array.from({ length: MAX_LINES_PER_BATCH }, (_, seq) => ({ ...line, seq, ts: MAX_TIME_MS })) };
    expect(plainLinesFrame(atLimits)).toEqual(clientFrame.parse(atLimits));
    expect(plainLinesFrame({ type: 'lines', lines: [{ ...line, ts: MAX_TIME_MS + 1 }] })).toBeUndefined();
  });
});
