import { isoTime } from '../protocol/json.js';
import type { MetricPoint } from '../protocol/types.js';

/** The CSV header of `report --format csv` (issue 5). */
export const CSV_HEADER = 'execution,key,step,value,ts';

/**
 * One field per RFC 4180: quoted (with `"` doubled) when it holds a comma, quote, CR or LF, or
 * starts or ends with a space; otherwise as is.
 */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * CSV rows (CRLF-free: `\n` line ends) of an execution's metric points: execution id, key, step,
 * value (shortest round-trip form; `NaN`, `Infinity`, `-Infinity` as JavaScript spells them),
 * capture time as ISO 8601 UTC. No header; see {@link CSV_HEADER}.
 */
export function csvRows(executionId: string, points: readonly MetricPoint[]): string {
  return points.map((p) => `${[executionId, p.key, String(p.step), String(p.value), isoTime(p.ts)!].map(csvField).join(',')}\n`).join('');
}
