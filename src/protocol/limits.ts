import { ExecTrackError } from '../errors.js';

/**
 * The one table of what the server accepts in the text a wrapper sends (DESIGN §6): the wire schemas
 * (`messages.ts`, validated by the server) and the CLI's checks before a command starts read it, so
 * both modes refuse the same input, and nothing is spooled that the server would refuse for good.
 * Lengths are in UTF-16 code units (JavaScript `string.length`).
 */
export const TEXT_LIMITS = {
  /** A session title (`run --session <title>`, `session new <title>`). */
  sessionTitle: 200,
  /** An execution's label (`run --name`). */
  executionName: 200,
  /** A custom metrics regex (`run --metrics-pattern`). */
  metricsPattern: 1000,
  /** The working directory recorded with an execution. */
  cwd: 4096,
  /** The host name recorded with an execution. */
  host: 255,
  /** An outcome's one-line reason (the wrapper cuts longer ones, e.g. naming a very long program path). */
  outcomeReason: 1000,
} as const;

/** `text` cut to `max` UTF-16 code units, ending in `…` when cut (never splitting a surrogate pair). */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Checks a user-given text against its limit in {@link TEXT_LIMITS}.
 * @param what how the message names it, e.g. `The session title` or `--name`.
 * @throws ExecTrackError USAGE (exit 2) when it is empty (unless `allowEmpty`) or too long.
 */
export function checkTextLimit(value: string, limit: keyof typeof TEXT_LIMITS, what: string, allowEmpty = false): void {
  const max = TEXT_LIMITS[limit];
  if ((allowEmpty || value.trim() !== '') && value.length <= max) return;
  throw new ExecTrackError('USAGE', `${what} must be ${allowEmpty ? 'at most' : '1 to'} ${max} characters long (it has ${value.length}); shorten it.`);
}
