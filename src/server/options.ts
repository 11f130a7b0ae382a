import { DEFAULTS } from '../defaults.js';

export type { Clock } from '../clock.js';

/**
 * Everything `exec-track serve` can be told (DESIGN §6, issue 4). Sizes are bytes unless named
 * otherwise, durations ms. A value of 0 turns a limit off where noted.
 */
export interface ServerOptions {
  /** Interface to bind; 127.0.0.1 so nothing is exposed unless asked. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** A `Running` execution with no live stream and no heartbeat this long becomes `Exec crushed` (`lost contact`). */
  heartbeatTimeoutMs: number;
  /** Requests (REST and WebSocket upgrades) per IP per window; 0 = off. */
  rateLimit: number;
  /** Length of the rate-limit window (1 hour). */
  rateWindowMs: number;
  /** Sessions are deleted this long after their last execution started; 0 = keep forever. */
  retentionMs: number;
  /** Largest accepted request body (413 beyond). */
  maxBodyBytes: number;
  /** Largest accepted WebSocket message (close 1009 beyond). */
  maxFrameBytes: number;
  /** Longest accepted report line text, in UTF-16 code units (a client cuts lines at 1 MiB of bytes; redaction may grow them). */
  maxLineLength: number;
  /** Stored lines per execution before the store keeps the first half and a rolling last half. */
  lineQuota: number;
  /** Sessions one user may own. */
  maxSessionsPerUser: number;
  /** Executions one session may hold. */
  maxExecutionsPerSession: number;
  /** How long a claim key is valid (24 h, issue 4 point 3). */
  claimTtlMs: number;
  /** Lines per `reports` frame on a follow socket. */
  followBatch: number;
  /** Take the client IP from the first `X-Forwarded-For` entry (only behind a trusted reverse proxy). */
  trustProxy: boolean;
}

/** The defaults of issue 4 and DESIGN §6; those `serve` has options for come from the one table, src/defaults.ts. */
export const DEFAULT_OPTIONS: ServerOptions = {
  host: DEFAULTS.host,
  port: DEFAULTS.port,
  heartbeatTimeoutMs: DEFAULTS.heartbeatTimeoutMs,
  rateLimit: DEFAULTS.rateLimit,
  rateWindowMs: 3_600_000,
  retentionMs: DEFAULTS.retentionMs,
  maxBodyBytes: DEFAULTS.maxBodyBytes,
  maxFrameBytes: DEFAULTS.maxFrameBytes,
  maxLineLength: DEFAULTS.maxLineLength,
  lineQuota: DEFAULTS.lineQuota,
  maxSessionsPerUser: DEFAULTS.maxSessionsPerUser,
  maxExecutionsPerSession: DEFAULTS.maxExecutionsPerSession,
  claimTtlMs: 86_400_000,
  followBatch: 1000,
  trustProxy: false,
};

/** Merges given options over the defaults, once, at start. */
export function resolveOptions(given: Partial<ServerOptions> = {}): ServerOptions {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_OPTIONS, ...defined };
}
