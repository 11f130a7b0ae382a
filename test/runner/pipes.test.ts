import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutputPipes, type OutputPipe } from '../../src/runner/pipes.js';

const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
});

/** Starts `argv` writing into `pipe` and closes the parent's write end, as spawnCommand does. */
function startOn(pipe: OutputPipe, argv: string[]) {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', pipe.writeFd, 'inherit'] });
  closeSync(pipe.writeFd);
  return child;
}

async function readAll(reader: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of reader) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('createOutputPipes', () => {
  it('ends the read side only once the command and its background children have closed the pipe', async () => {
    const [pipe] = (await createOutputPipes(1))!.pipes;
    startOn(pipe!, ['sh', '-c', 'echo first; (sleep 0.2; echo from background) &']);
    expect(await readAll(pipe!.reader)).toBe('first\nfrom background\n');
  });

  it('makes the command die of SIGPIPE on its next write once the read side is destroyed', async () => {
    const [pipe] = (await createOutputPipes(1))!.pipes;
    const child = startOn(pipe!, ['yes']);
    await once(pipe!.reader, 'data');
    pipe!.reader.destroy();
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGPIPE' });
  });

  it('returns null when no FIFO can be made, so the caller falls back to socketpairs', async () => {
    process.env.PATH = '/nonexistent';
    expect(await createOutputPipes(2)).toBeNull();
  });
});
