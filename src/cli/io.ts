/**
 * What every command works with (issue 10 point 5: one shape for every command): its output
 * streams, its input and its environment. A command takes one, writes only through it and
 * resolves with its exit code; main.ts passes the process's own ({@link processIo}) and alone sets
 * `process.exitCode`.
 */
export interface CommandIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/**
 * The process's own streams and environment. `stdin` is read only when a command asks for it: Node
 * builds `process.stdin` on first access (its stream modules, ~5-10 ms of a start; benchmark B4),
 * and `run` hands its stdin to the command without touching it.
 */
export function processIo(): CommandIo {
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}

/** A writer of `exec-track: <message>` lines to `stderr` that never throws (stderr may be a closed pipe). */
export function noticeTo(stderr: NodeJS.WritableStream & { writable: boolean }): (message: string) => void {
  return (message) => {
    if (stderr.writable) stderr.write(`exec-track: ${message}\n`, () => undefined);
  };
}
