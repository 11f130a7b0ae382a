import type { z } from 'zod';
import type { explicitPointSchema, reportLineSchema } from './messages.js';
import type { ExecutionState, FinalState } from './states.js';

/** A metric point sent directly by a client (protocol/messages.ts `explicitPointSchema`). */
export type ExplicitPoint = z.infer<typeof explicitPointSchema>;

/** Output stream a line was read from. */
export type StreamName = ReportLine['stream'];

/** One captured line of a report (DESIGN §5): the shape of `reportLineSchema` (protocol/messages.ts). */
export type ReportLine = z.infer<typeof reportLineSchema>;

/** A numeric value parsed from a line (DESIGN §5). `value` may be NaN or ±Infinity. */
export interface MetricPoint {
  key: string;
  step: number;
  value: number;
  /** ms since epoch UTC, the capture time of the line. */
  ts: number;
  /** seq of the line it came from. */
  seq: number;
}

/** Summary of one metric series. */
export interface MetricSummary {
  last: number;
  min: number;
  max: number;
  count: number;
}

/** How metrics are read from an execution's lines: `off`, the default grammar, or a custom regex. */
export interface MetricsConfig {
  enabled: boolean;
  /** A regex with named groups `key`, `value`, optional `step`; replaces the default grammar. */
  pattern?: string | null;
}

/** A session as stored. Times are ms since epoch UTC. */
export interface Session {
  id: string;
  title: string;
  createdAt: number;
  /** Owning user (server mode), null in the embedded store. */
  ownerId: string | null;
}

/** What GNU `time -v` would tell about the command's process tree (issue 16). */
export interface ResourceUsage {
  /** Highest resident memory of the tree seen (sum over its processes, or one process's own peak if higher), bytes; null when the command ended before the first sample. */
  peakRssBytes: number | null;
  /** User-mode CPU time of the tree, ms. */
  userCpuMs: number;
  /** Kernel-mode CPU time of the tree, ms. */
  systemCpuMs: number;
}

/** Where and from which code an execution ran (issue 16). No user names, no environment. */
export interface ExecutionContext {
  /** The working directory's git repository, null without one (or without git). */
  git: { commit: string; branch: string | null; dirty: boolean } | null;
  /** exec-track version of the wrapper. */
  version: string;
}

/** What a finished execution ended as. */
export interface Outcome {
  state: FinalState;
  exitCode: number | null;
  /** Signal name such as `SIGTERM`, or null. */
  signal: string | null;
  /** One line saying why, for the crushed states. */
  reason: string | null;
  /** ms since epoch UTC. */
  endedAt: number;
  /** Resource usage of the command's tree; absent when not sampled (`--sample off`, no /proc). */
  usage?: ResourceUsage | null;
}

/** An execution as stored. Times are ms since epoch UTC. */
export interface Execution {
  id: string;
  sessionId: string;
  name: string | null;
  /** argv as recorded (secrets redacted). */
  command: string[];
  cwd: string;
  host: string;
  /** PID of the wrapper (for ghost detection on this host). */
  pid: number | null;
  state: ExecutionState;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  startedAt: number | null;
  endedAt: number | null;
  /** Last heartbeat or write seen from the wrapper, ms since epoch UTC. */
  lastSeenAt: number | null;
  /** When the store received it, by the store's clock (the server's, not the wrapper's): ordering and retention use it. */
  receivedAt: number;
  /** Number of stored lines. */
  lineCount: number;
  metrics: MetricsConfig;
  /** Recorded at start; null for executions stored before issue 16. */
  context: ExecutionContext | null;
  /** Recorded with the outcome; null while running or when not sampled. */
  usage: ResourceUsage | null;
}

/**
 * What a wrapper sends to create an execution: the {@link Execution} fields it knows at start. `id`
 * is minted by the client so it works offline; `receivedAt` is by the receiver's clock (the server's
 * `now`; in embedded mode the wrapper's start).
 */
export type NewExecution = Pick<Execution, 'id' | 'sessionId' | 'name' | 'command' | 'cwd' | 'host' | 'pid' | 'receivedAt' | 'metrics'> & {
  startedAt: number;
  context?: ExecutionContext | null;
};
