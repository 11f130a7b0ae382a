import { isExecTrackError } from '../errors.js';

/**
 * The one top-level handler: a known error prints its one-sentence message (as the JSON error
 * document when `json`: the command was asked for JSON output) to `stderr` and returns its exit
 * code; anything else prints "internal error" with the stack and returns 1.
 */
export function handleError(error: unknown, json: boolean, stderr: NodeJS.WritableStream): number {
  if (isExecTrackError(error)) {
    stderr.write(json ? `${JSON.stringify(error.toJSON())}\n` : `exec-track: ${error.message}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr.write(`exec-track: internal error, please report it: ${stack}\n`);
  return 1;
}
