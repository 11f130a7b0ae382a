import ms from 'ms';
import { ExecTrackError } from '../errors.js';

/**
 * Parses a human duration (`10s`, `500ms`, `14d`, `2h`; a bare number is seconds) into ms,
 * using the `ms` package's grammar. Throws ExecTrackError USAGE naming the option when invalid.
 */
export function parseDuration(value: string, option: string): number {
  const parsed = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) * 1000 : ms(value.trim() as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
    throw new ExecTrackError('USAGE', `${option} expects a duration such as 10s, 5m or 14d, got "${value}".`);
  }
  return parsed;
}
