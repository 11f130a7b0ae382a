import { isoTime, toExecutionJson, toReportJson, toSessionJson, type ExecutionJson, type SessionJson } from '../protocol/json.js';
import { partitionMetrics } from '../protocol/system-metrics.js';
import type { MetricPoint, MetricSummary, ReportLine } from '../protocol/types.js';
import type { Output } from './output.js';
import type { ExecutionData, SessionData } from './source.js';

/** A metric value in JSON: the number, or `"NaN"` / `"Infinity"` / `"-Infinity"`, which JSON numbers cannot hold. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** Metric summary in JSON (issue 5): `{last, min, max, count}` per key. */
export type MetricsJson = Record<string, { last: JsonNumber; min: JsonNumber; max: JsonNumber; count: number }>;

/** Metric point in JSON: `ts` as ISO 8601 UTC. */
export interface PointJson {
  key: string;
  step: number;
  value: JsonNumber;
  ts: string;
  seq: number;
}

/** The `--json` document of a session (DESIGN §4). */
export interface SessionDocument {
  session: SessionJson;
  executions: ExecutionJson[];
}

export function jsonNumber(value: number): JsonNumber {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

export function toMetricsJson(metrics: Record<string, MetricSummary>): MetricsJson {
  const out: MetricsJson = {};
  for (const [key, s] of Object.entries(metrics)) out[key] = { last: jsonNumber(s.last), min: jsonNumber(s.min), max: jsonNumber(s.max), count: s.count };
  return out;
}

export function toPointJson(p: MetricPoint): PointJson {
  return { key: p.key, step: p.step, value: jsonNumber(p.value), ts: isoTime(p.ts)!, seq: p.seq };
}

export function sessionDocument(data: SessionData): SessionDocument {
  return { session: toSessionJson(data.session), executions: data.executions.map(toExecutionJson) };
}

/**
 * Writes the `--json` document of an execution (DESIGN §4 plus issue 5):
 * `{"execution": {...}, "reports": [...], "metrics": {...}, "resources": {...}}` (`sys/…` keys apart) and, when `points` is given,
 * `"points": [...]`. Reports are streamed page by page so a large report never sits in memory;
 * the bytes equal `JSON.stringify` of the whole document, on one line.
 */
export async function writeExecutionDocument(out: Output, data: ExecutionData, pages: AsyncIterable<ReportLine[]>, points?: MetricPoint[]): Promise<void> {
  await out.write(`{"execution":${JSON.stringify(toExecutionJson(data.execution))},"reports":[`);
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    await out.write(`${first ? '' : ','}${page.map((line) => JSON.stringify(toReportJson(line))).join(',')}`);
    first = false;
  }
  const { own, system } = partitionMetrics(data.metrics);
  await out.write(`],"metrics":${JSON.stringify(toMetricsJson(own))},"resources":${JSON.stringify(toMetricsJson(system))}`);
  if (points) await out.write(`,"points":${JSON.stringify(points.map(toPointJson))}`);
  await out.write('}\n');
}
