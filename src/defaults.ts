/** One MiB (bytes). */
const MIB = 1024 * 1024;

/**
 * Every option default, once (issue 10 point 5): the CLI's `--help` (src/cli/main.ts renders them
 * with {@link durationText} and {@link sizeText}), the commands that parse the options, the server's
 * options (server/options.ts) and the stores read this table. Durations ms, sizes bytes.
 */
export const DEFAULTS = {
  /** Title of the session a `run` records into when none is given and none is current. */
  sessionTitle: 'default',
  /** `serve`/`ui`: interface to bind; 127.0.0.1 so nothing is exposed unless asked. */
  host: '127.0.0.1',
  /** `serve`/`ui`: TCP port. */
  port: 8080,
  /** `serve --heartbeat-timeout`: a silent Running execution becomes Exec crushed (DESIGN §2). */
  heartbeatTimeoutMs: 60_000,
  /** `serve --rate-limit`: requests per IP per hour. */
  rateLimit: 3600,
  /** `serve --retention`: sessions are deleted this long after their last execution (DESIGN §6). */
  retentionMs: 14 * 86_400_000,
  /** `serve --max-body`. */
  maxBodyBytes: 16 * MIB,
  /** `serve --max-frame`. */
  maxFrameBytes: 16 * MIB,
  /** `serve --max-line`, in UTF-16 code units. */
  maxLineLength: 2 * MIB,
  /** `run`/`serve --line-quota`: stored lines per execution (docs/metrics.md). */
  lineQuota: 1_000_000,
  /** `serve --max-sessions-per-user`. */
  maxSessionsPerUser: 1000,
  /** `serve --max-executions-per-session`. */
  maxExecutionsPerSession: 10_000,
  /** `run --kill-after`: grace before SIGKILL (docs/signals.md). */
  killAfterMs: 10_000,
  /** `run --sample`: resource sampling interval (docs/resources.md). */
  sampleMs: 10_000,
  /** `report --lines`: how many of the last lines to show. */
  reportLines: 20,
} as const;

/** A default duration as options spell it: whole days as `14d`, else whole seconds `60s`, else `500ms` (parseDuration reads each back). */
export function durationText(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A default size for `--help`: `16 MiB`; with another `unit` (` characters`), `2 Mi characters`. */
export function sizeText(bytes: number, unit = 'B'): string {
  return bytes % MIB === 0 ? `${bytes / MIB} Mi${unit}` : `${bytes}${unit === 'B' ? ' bytes' : unit}`;
}
