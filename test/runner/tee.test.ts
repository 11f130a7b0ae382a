import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOutputPipes } from '../../src/runner/pipes.js';
import { Tee } from '../../src/runner/tee.js';

const LINES = 20_000;
/** Python printing unbuffered, one write(2) per line and one per newline: the B1 workload of issue 6. */
const DRIBBLE = `import sys\nfor i in range(${LINES}): print('line %06d' % i)`;

describe('Tee on a real pipe', () => {
  it('copies a command that writes line by line byte-exact in far fewer reads than writes', async () => {
    const [pipe] = (await createOutputPipes(1))!.pipes;
    const child = spawn('python3', ['-c', DRIBBLE], { stdio: ['ignore', pipe!.writeFd, 'inherit'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    closeSync(pipe!.writeFd);
    const terminal = new PassThrough();
    const shown: Buffer[] = [];
    terminal.on('data', (chunk: Buffer) => shown.push(chunk));
    const captured: Buffer[] = [];
    const tee = new Tee(pipe!.reader, terminal, (chunk) => captured.push(chunk));
    await once(child, 'exit');
    await tee.drain();
    const expected = Array.from({ length: LINES }, (_, i) => `line ${String(i).padStart(6, '0')}\n`).join('');
    expect(Buffer.concat(shown).toString()).toBe(expected);
    expect(Buffer.concat(captured).toString()).toBe(expected);
    // read as it arrives, nearly every line is its own read; letting the pipe fill gathers ~8 KiB per read
    expect(captured.length).toBeLessThan(LINES / 20);
  });
});

describe('Tee pacing', () => {
  afterEach(() => vi.useRealTimers());

  /** A source that, like the real pipes, stops reading while paused (highWaterMark 1). */
  function tee() {
    const source = new PassThrough({ readableHighWaterMark: 1 });
    const captured: string[] = [];
    new Tee(source, new PassThrough(), (chunk) => captured.push(chunk.toString()));
    return { source, captured };
  }

  it('reads a command that prints now and then at once, so its two pipes keep the order it wrote in', async () => {
    vi.useFakeTimers();
    const { source, captured } = tee();
    for (let i = 0; i < 20; i++) {
      source.write(`line ${i}\n`);
      await vi.advanceTimersByTimeAsync(0);
      expect(source.isPaused()).toBe(false);
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(captured).toHaveLength(20);
  });

  it('lets a flood of small writes gather for a millisecond, then reads on', async () => {
    vi.useFakeTimers();
    const { source, captured } = tee();
    for (let i = 0; i < 9; i++) {
      source.write(`line ${i}\n`);
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(source.isPaused()).toBe(true);
    source.write('waits\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(captured.at(-1)).toBe('line 8\n');
    await vi.advanceTimersByTimeAsync(1);
    expect(captured.at(-1)).toBe('waits\n');
  });
});
