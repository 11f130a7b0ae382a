import { closeSync, constants, openSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import type { DuplexOptions, Readable } from 'node:stream';
import type { Launcher } from './launcher.js';
import { runPrelude, takePrelude } from './prelude.js';

/** One real (pipe(2)-like) pipe: the command writes into `writeFd`, we read `reader`. */
export interface OutputPipe {
  /** Write end, to hand to the command as its stdout or stderr; close it in the parent after spawn. */
  writeFd: number;
  /** Read end as a stream of raw Buffers; destroying it closes the read fd. */
  reader: Readable;
}

/** The command's output pipes, and the prelude's child that can become the command using them (src/runner/launcher.ts). */
export interface OutputPipes {
  pipes: OutputPipe[];
  /** Owns the FIFOs' removal until it is started or declined; null when there is none. */
  launcher: Launcher | null;
  /** Removes the FIFOs (idempotent): at once without a launcher, else once it let go, or when the pipes go unused. */
  removeFifos: () => void;
}

/**
 * Creates `count` real pipes for the command's output; resolves with null when this system cannot
 * (no `mkfifo`, no writable temp dir): the caller then falls back to child_process 'pipe'. Never rejects.
 *
 * Why not 'pipe': Node's stdio pipes are UNIX socketpairs, and closing our end with unread data
 * makes the command's next write fail with ECONNRESET instead of EPIPE/SIGPIPE (DESIGN §7: behind
 * `| head` the command must meet the closed pipe as it would without the wrapper). Node has no
 * pipe(2), so each pipe is a FIFO made in a private (0700) temp dir, opened at both ends and
 * unlinked at once (with a launcher, once it opened them as it became the command); the open fds
 * stay valid and nobody else can open it. The FIFOs come from a
 * prelude (src/runner/prelude.ts): bin/exec-track's, started with the process and shared with
 * `git status`, else one started now, so that the caller can open the store meanwhile (`run` does: B4).
 */
export async function createOutputPipes(count: number): Promise<OutputPipes | null> {
  const prelude = takePrelude({ fifos: count }) ?? runPrelude(process.cwd(), process.env, count, false);
  const fifos = await prelude.fifos;
  const { launcher } = prelude;
  if (!fifos) {
    launcher?.decline();
    return null;
  }
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
    const pipes = fds.map(({ readFd, writeFd }) => {
      // net.Socket passes stream options on to its Duplex, though its typings omit them
      const options: SocketConstructorOpts & DuplexOptions = { fd: readFd, readable: true, writable: false, readableHighWaterMark: 1 };
      return { writeFd, reader: new Socket(options) };
    });
    // a launcher opens them by name when it becomes the command: they go once it has let go of fd 3
    if (launcher) void launcher.released.then(fifos.remove);
    else fifos.remove();
    return { pipes, launcher, removeFifos: fifos.remove };
  } catch {
    for (const fd of opened) closeSync(fd);
    launcher?.decline();
    fifos.remove();
    return null;
  }
}

/** Closes pipes that will not be handed to a command after all (both ends; their readers would keep the process alive), declining their launcher. */
export function closeOutputPipes(outputs: OutputPipes | null): void {
  outputs?.launcher?.decline();
  // (now: the process may exit before the launcher's shell has let go)
  outputs?.removeFifos();
  closeWriteEnds(outputs);
  for (const pipe of outputs?.pipes ?? []) pipe.reader.destroy();
}

/** Closes our write ends: once the command has its own, only it (and what it starts) may hold one, or the readers never see EOF. */
export function closeWriteEnds(outputs: OutputPipes | null): void {
  for (const pipe of outputs?.pipes ?? []) closeSync(pipe.writeFd);
}
