import { isExecTrackError } from '../errors.js';

/**
 * The one top-level handler: a known error prints its one-sentence message and returns its exit
 * code; anything else prints "internal error" with the stack and returns 1.
 */
export function handleError(error: unknown, json = process.argv.includes('--json')): number {
  if (isExecTrackError(error)) {
    process.stderr.write(json ? `${JSON.stringify(error.toJSON())}\n` : `exec-track: ${error.message}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`exec-track: internal error, please report it: ${stack}\n`);
  return 1;
}
