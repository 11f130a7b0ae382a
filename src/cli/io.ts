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

/** The process's own streams and environment. */
export function processIo(): CommandIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** A writer of `exec-track: <message>` lines to `stderr` that never throws (stderr may be a closed pipe). */
export function noticeTo(stderr: NodeJS.WritableStream & { writable: boolean }): (message: string) => void {
  return (message) => {
    if (stderr.writable) stderr.write(`exec-track: ${message}\n`, () => undefined);
  };
}
