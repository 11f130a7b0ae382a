/**
 * exec-track as a library: the pieces the CLI is built from, for embedding tracking in other tools
 * (run a command against a sink, open a store, start the server, parse metrics). Importing this
 * module loads nothing heavy until a function is called.
 */
export { ExecTrackError, ERRORS, isExecTrackError, type ErrorCode } from './errors.js';
export { STATES, type ExecutionState, type FinalState } from './protocol/states.js';
export { newId, isId, type IdKind } from './protocol/ids.js';
export type { Execution, MetricPoint, MetricSummary, MetricsConfig, NewExecution, Outcome, ReportLine, Session, StreamName } from './protocol/types.js';
export { toExecutionJson, toReportJson, toSessionJson, type ExecutionJson, type ReportJson, type SessionJson } from './protocol/json.js';
export type { Store, ReadReportsOptions, AppendResult, User } from './store/store.js';
export type { Sink, ExecutionInit, OpenedExecution } from './sink/sink.js';
export type { RunOptions } from './runner/run.js';
export type { ParsedMetric } from './metrics/parse.js';

/** Runs `argv` as a tracked execution on `sink`; resolves with the exit code (see runner/run.ts). */
export async function runExecution(...args: Parameters<typeof import('./runner/run.js').runExecution>): Promise<number> {
  return (await import('./runner/run.js')).runExecution(...args);
}

/** Opens (creating) a SQLite store (see store/open.ts). */
export async function openStore(...args: Parameters<typeof import('./store/open.js').openStore>): Promise<import('./store/store.js').Store> {
  return (await import('./store/open.js')).openStore(...args);
}

/** Starts the exec-track server on a SQLite file (see server/serve.ts). */
export async function startServer(...args: Parameters<typeof import('./server/serve.js').startServer>): Promise<import('./server/serve.js').RunningServer> {
  return (await import('./server/serve.js')).startServer(...args);
}

/** The metric parser used at ingest (see metrics/parse.ts and docs/metrics.md). */
export async function createMetricParser(
  ...args: Parameters<typeof import('./metrics/parse.js').createMetricParser>
): Promise<ReturnType<typeof import('./metrics/parse.js').createMetricParser>> {
  return (await import('./metrics/parse.js')).createMetricParser(...args);
}
