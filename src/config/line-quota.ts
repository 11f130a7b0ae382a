import { ExecTrackError } from '../errors.js';

/** `--line-quota all`: keep every line (a quota no execution reaches). */
export const ALL_LINES = Number.MAX_SAFE_INTEGER;

/**
 * Parses `--line-quota <n|all>` (`run` for the embedded store, `serve` for a server): stored lines per
 * execution before the first half and a rolling last half are kept (docs/metrics.md, "Line quota").
 * `all` keeps every line.
 * @throws ExecTrackError USAGE unless it is `all` or a whole number ≥ 2.
 */
export function parseLineQuota(value: string, option: string): number {
  const text = value.trim();
  if (text === 'all') return ALL_LINES;
  if (!/^\d+$/.test(text) || Number(text) < 2 || !Number.isSafeInteger(Number(text))) {
    throw new ExecTrackError('USAGE', `${option} expects a number of lines (2 or more) or "all", got "${value}".`);
  }
  return Number(text);
}
