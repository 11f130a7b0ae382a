import { lineMarks, type ReportJson } from '../protocol/json.js';
import type { MetricPoint, MetricSummary, ReportLine, Session } from '../protocol/types.js';

/**
 * Decoding of what a server sends (docs/api.md) back into the stored types the views render,
 * tolerant where JSON has no native form: times as ISO strings or ms, non-finite metric values as
 * null or as the strings `NaN`/`Infinity`/`-Infinity` (also `nan`/`inf`/`-inf`).
 */

/** A JSON number, null or non-finite spelling → number (null → NaN). */
export function wireNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const v = value.trim().toLowerCase();
  if (v === 'inf' || v === 'infinity' || v === '+inf' || v === '+infinity') return Number.POSITIVE_INFINITY;
  if (v === '-inf' || v === '-infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

/** ISO string or ms → ms since epoch. */
export function wireTime(value: unknown): number {
  return typeof value === 'number' ? value : Date.parse(String(value));
}

export function sessionFromWire(j: { id: string; title: string; createdAt: string | number }): Session {
  return { id: j.id, title: j.title, createdAt: wireTime(j.createdAt), ownerId: null };
}

export function reportFromWire(j: ReportJson): ReportLine {
  return { seq: j.seq, ts: wireTime(j.ts), stream: j.stream, text: j.text, ...lineMarks(j) };
}

export function pointFromWire(j: { key: string; step: number; value: unknown; ts: unknown; seq: number }): MetricPoint {
  return { key: j.key, step: j.step, value: wireNumber(j.value), ts: wireTime(j.ts), seq: j.seq };
}

export function summariesFromWire(j: Record<string, { last: unknown; min: unknown; max: unknown; count: number }> | undefined): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  for (const [key, s] of Object.entries(j ?? {})) out[key] = { last: wireNumber(s.last), min: wireNumber(s.min), max: wireNumber(s.max), count: s.count };
  return out;
}
