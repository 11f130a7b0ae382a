import { ExecTrackError } from '../errors.js';
import type { Outcome, ReportLine } from '../protocol/types.js';

const DAY_MS = 86_400_000;

/**
 * How far a client's time may lie from the server's clock (docs/api.md "Times"): 30 days back (a
 * spool synced late, a slow clock), 1 day ahead (a fast clock). Client times are capture times shown
 * to users; retention and ordering use the server's own clock, so this only keeps nonsense out.
 */
export const TIME_WINDOW = { pastMs: 30 * DAY_MS, futureMs: DAY_MS } as const;

/**
 * Checks one client time against the server's `now`.
 * @throws ExecTrackError BAD_REQUEST (400) naming `field` when `ms` is outside {@link TIME_WINDOW}.
 */
export function checkTime(ms: number, field: string, now: number): void {
  if (ms >= now - TIME_WINDOW.pastMs && ms <= now + TIME_WINDOW.futureMs) return;
  throw new ExecTrackError(
    'BAD_REQUEST',
    `Invalid time at ${field}: ${ms} is more than 30 days before or 1 day after the server's clock (${new Date(now).toISOString()}); check the client's clock.`,
  );
}

/** {@link checkTime} for every capture time of a batch (`lines.N.ts`, `lines.N.frameTs.M`, `lines.N.points.M.ts`). */
export function checkLineTimes(lines: ReportLine[], now: number): void {
  lines.forEach((line, i) => {
    checkTime(line.ts, `lines.${i}.ts`, now);
    line.frameTs?.forEach((ts, j) => checkTime(ts, `lines.${i}.frameTs.${j}`, now));
    line.points?.forEach((p, j) => checkTime(p.ts, `lines.${i}.points.${j}.ts`, now));
  });
}

/** {@link checkTime} for an outcome's `endedAt`. */
export function checkOutcomeTime(outcome: Outcome, now: number): void {
  checkTime(outcome.endedAt, 'outcome.endedAt', now);
}
