import { execFile } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmdirSync, unlinkSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuplexOptions, Readable } from 'node:stream';

/** One real (pipe(2)-like) pipe: the command writes into `writeFd`, we read `reader`. */
export interface OutputPipe {
  /** Write end, to hand to the command as its stdout or stderr; close it in the parent after spawn. */
  writeFd: number;
  /** Read end as a stream of raw Buffers; destroying it closes the read fd. */
  reader: Readable;
}

/**
 * Creates `count` real pipes for the command's output; resolves with null when this system cannot
 * (no `mkfifo`, no writable temp dir): the caller then falls back to child_process 'pipe'. Never rejects.
 *
 * Why not 'pipe': Node's stdio pipes are UNIX socketpairs, and closing our end with unread data
 * makes the command's next write fail with ECONNRESET instead of EPIPE/SIGPIPE (DESIGN §7: behind
 * `| head` the command must meet the closed pipe as it would without the wrapper). Node has no
 * pipe(2), so each pipe is a FIFO made in a private (0700) temp dir, opened at both ends and
 * unlinked at once; the open fds stay valid and nobody else can open it. Costs one short `mkfifo`
 * process per run (a few ms; docs/reliability.md), run asynchronously so that the caller can open the
 * store meanwhile (`run` does: B4).
 */
export async function createOutputPipes(count: number): Promise<OutputPipe[] | null> {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'exec-track-'));
  } catch {
    return null;
  }
  const opened: number[] = [];
  try {
    const paths = Array.from({ length: count }, (_, index) => join(dir, String(index)));
    await new Promise<void>((resolve, reject) => execFile('mkfifo', ['-m', '600', ...paths], (error) => (error ? reject(error) : resolve())));
    // read end first and non-blocking: opening a FIFO for writing blocks until it has a reader
    const fds = paths.map((path) => {
      const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      opened.push(readFd);
      const writeFd = openSync(path, constants.O_WRONLY);
      opened.push(writeFd);
      return { readFd, writeFd };
    });
    // highWaterMark 1: a paused reader stops reading at once, so data waits in the pipe (src/runner/tee.ts)
    return fds.map(({ readFd, writeFd }) => {
      // net.Socket passes stream options on to its Duplex, though its typings omit them
      const options: SocketConstructorOpts & DuplexOptions = { fd: readFd, readable: true, writable: false, readableHighWaterMark: 1 };
      return { writeFd, reader: new Socket(options) };
    });
  } catch {
    for (const fd of opened) closeSync(fd);
    return null;
  } finally {
    removeFifos(dir, count);
  }
}

/** Closes pipes that will not be handed to a command after all (both ends; their readers would keep the process alive). */
export function closeOutputPipes(pipes: readonly OutputPipe[] | null): void {
  for (const pipe of pipes ?? []) {
    closeSync(pipe.writeFd);
    pipe.reader.destroy();
  }
}

/** Deletes the FIFOs `mkfifo` made (some, all or none) and their folder; one by one, as a recursive rmSync loads Node's rimraf (B4). */
function removeFifos(dir: string, count: number): void {
  for (let index = 0; index < count; index++) {
    try {
      unlinkSync(join(dir, String(index)));
    } catch {
      // mkfifo failed before making this one
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // best effort, as the FIFOs themselves: an empty 0700 folder in the temp dir harms nothing
  }
}
