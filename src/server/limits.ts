import { ExecTrackError } from '../errors.js';
import type { ReportLine } from '../protocol/types.js';
import type { ServerOptions } from './options.js';

/**
 * Checks a whole batch before anything of it is stored, so an oversized line rejects the batch
 * and nothing is partially stored (issue 4 point 8). Throws TOO_LARGE (413).
 */
export function checkLines(lines: ReportLine[], options: ServerOptions): void {
  for (const line of lines) {
    if (line.text.length > options.maxLineLength || (line.frames ?? []).some((f) => f.length > options.maxLineLength)) {
      throw new ExecTrackError(
        'TOO_LARGE',
        `Line ${line.seq} is longer than the server's line limit of ${options.maxLineLength} characters (serve --max-line); cut long lines before sending.`,
      );
    }
  }
}

/** A count limit (sessions per user, executions per session): 400 LIMIT_EXCEEDED naming the limit. */
export function limitExceeded(what: string, limit: number, option: string, advice: string): ExecTrackError {
  return ExecTrackError.of('LIMIT_EXCEEDED', { what, limit, option, advice });
}
