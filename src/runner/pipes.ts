import { closeSync, constants, openSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { DuplexOptions, Readable } from 'node:stream';
import { runPrelude, takePrelude } from './prelude.js';

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
 * unlinked at once; the open fds stay valid and nobody else can open it. The FIFOs come from a
 * prelude (src/runner/prelude.ts): bin/exec-track's, started with the process and shared with
 * `git status`, else one started now, so that the caller can open the store meanwhile (`run` does: B4).
 */
export async function createOutputPipes(count: number): Promise<OutputPipe[] | null> {
  const prelude = takePrelude({ fifos: count }) ?? runPrelude(process.cwd(), process.env, count, false);
  const fifos = await prelude.fifos;
  if (!fifos) return null;
  const opened: number[] = [];
  try {
    // read end first and non-blocking: opening a FIFO for writing blocks until it has a reader
    const fds = fifos.paths.map((path) => {
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
    fifos.remove();
  }
}

/** Closes pipes that will not be handed to a command after all (both ends; their readers would keep the process alive). */
export function closeOutputPipes(pipes: readonly OutputPipe[] | null): void {
  for (const pipe of pipes ?? []) {
    closeSync(pipe.writeFd);
    pipe.reader.destroy();
  }
}
