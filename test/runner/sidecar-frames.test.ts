import { describe, expect, it } from 'vitest';
import { FrameSplitter, type Frame } from '../../src/runner/sidecar-frames.js';

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const output = (stream: string, data: Buffer) => Buffer.concat([Buffer.from(line({ type: 'output', stream, bytes: data.length })), data]);

/** The input of a protocol-2 client: JSON lines, output events followed by raw bytes holding newlines, braces and a cut UTF-8 character. */
const euro = Buffer.from('€');
const input = Buffer.concat([
  Buffer.from(line({ type: 'start', protocol: 2 })),
  output('stdout', Buffer.concat([Buffer.from('a {"not":"json"}\nb '), euro.subarray(0, 1)])),
  output('stdout', Buffer.concat([euro.subarray(1), Buffer.from('\n')])),
  Buffer.from('\r\n'),
  output('stderr', Buffer.alloc(0)),
  Buffer.from('not json\r\n'),
  Buffer.from(line({ type: 'output', stream: 'stdout', bytes: -1 })),
  Buffer.from(line({ type: 'finish', ok: true }).trimEnd()),
]);

const shape = (frames: Frame[]) =>
  frames.map((f) =>
    f.kind === 'output'
      ? `output ${String(f.value.stream)} ${JSON.stringify(f.data.toString('utf8'))}`
      : f.kind === 'event'
        ? `event ${JSON.stringify(f.value)}`
        : 'invalid',
  );

const expected = [
  'event {"type":"start","protocol":2}',
  'output stdout "a {\\"not\\":\\"json\\"}\\nb \ufffd"',
  'output stdout "\ufffd\ufffd\\n"',
  'output stderr ""',
  'invalid',
  'event {"type":"output","stream":"stdout","bytes":-1}',
  'event {"type":"finish","ok":true}',
];

describe('FrameSplitter', () => {
  it('cuts JSON lines and output events with their raw bytes, wherever the chunks end', () => {
    const whole = new FrameSplitter();
    const frames = [...whole.push(input), ...whole.end()];
    expect(shape(frames)).toEqual(expected);
    // the raw bytes are kept as sent: the two halves of € join again
    const out = frames.filter((f) => f.kind === 'output' && f.value.stream === 'stdout') as Extract<Frame, { kind: 'output' }>[];
    expect(Buffer.concat(out.map((f) => f.data)).toString('utf8')).toBe('a {"not":"json"}\nb €\n');
    for (let cut = 1; cut < input.length; cut++) {
      const splitter = new FrameSplitter();
      const parts = [...splitter.push(input.subarray(0, cut)), ...splitter.push(input.subarray(cut)), ...splitter.end()];
      expect(shape(parts), `cut at ${cut}`).toEqual(expected);
    }
  });

  it('hands over an output event cut short by the end of the input with what arrived of it', () => {
    const splitter = new FrameSplitter();
    const frames = [...splitter.push(Buffer.from(`${line({ type: 'output', stream: 'stdout', bytes: 10 })}abc`)), ...splitter.end()];
    expect(shape(frames)).toEqual(['output stdout "abc"']);
  });

  it('keeps a last event without its newline, and drops without a word one cut short by the end of the input', () => {
    const whole = new FrameSplitter();
    expect(shape([...whole.push(Buffer.from('{"type":"finish","ok":true}')), ...whole.end()])).toEqual(['event {"type":"finish","ok":true}']);
    const cut = new FrameSplitter();
    const frames = [...cut.push(Buffer.from(`${line({ type: 'metrics', values: { a: 1 } })}{"type":"metrics","val`)), ...cut.end()];
    expect(shape(frames)).toEqual(['event {"type":"metrics","values":{"a":1}}']);
  });
});
