import type { ExecutionContext, MetricsConfig, Outcome, ReportLine } from '../protocol/types.js';

/** What the runner knows when it opens an execution. Times are ms since epoch UTC. */
export interface ExecutionInit {
  /** `--session <id|title>`; undefined → the current session, else one titled `default`. */
  session?: string;
  name: string | null;
  /** argv as it will be recorded (already redacted). */
  command: string[];
  cwd: string;
  host: string;
  /** The wrapper's own PID. */
  pid: number;
  startedAt: number;
  metrics: MetricsConfig;
  /** git and version context (issue 16); null when not recorded. */
  context: ExecutionContext | null;
}

/** IDs of an opened execution: passed to the child as EXEC_TRACK_EXECUTION_ID / EXEC_TRACK_SESSION_ID. */
export interface OpenedExecution {
  sessionId: string;
  executionId: string;
}

/**
 * The write side (DESIGN §3): where the runner's events go. `LocalSink` writes to the embedded store,
 * `RemoteSink` streams to a server with a write-ahead spool.
 *
 * A sink must never hurt the tracked job: `write` is synchronous and cheap and keeps memory bounded;
 * remote failures never throw out of `open`/`write`/`finish` (they spool and warn once).
 */
export interface Sink {
  /** Creates (or resolves) the session and creates the execution in state `Running`; starts heartbeats. */
  open(init: ExecutionInit): Promise<OpenedExecution>;
  /** Accepts one captured line (seq assigned by the runner). */
  write(line: ReportLine): void;
  /**
   * Optional flow control: while the sink holds more unwritten lines than it may keep in memory it
   * returns a promise that resolves once it has room again, and the runner stops reading the
   * command's output until then (the command then waits on its pipe, as on a slow terminal).
   * Returns null when there is room. Sinks that spool to disk need not implement it.
   */
  backpressure?(): Promise<void> | null;
  /** Flushes lines, records the outcome, stops heartbeats. Bounded wait (DESIGN §7). */
  finish(outcome: Outcome): Promise<void>;
  /**
   * Optional: ends a pending {@link finish} wait at once (Ctrl-C while the wrapper waits for a slow
   * server); what is not confirmed stays where `exec-track sync` finds it, and `finish` resolves.
   */
  interrupt?(): void;
}
