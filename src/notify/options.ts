import { parseDuration } from '../config/duration.js';
import { DEFAULT_RETRY, type RetryPolicy } from './policy.js';

/** How a {@link Notifier} works. Times in ms. */
export interface NotifyOptions {
  /** How often rules are evaluated and due messages sent. */
  scanMs: number;
  /** Per delivery attempt. */
  timeoutMs: number;
  /** How long a claimed message is reserved for its sender. */
  leaseMs: number;
  retry: RetryPolicy;
  /** `session-done` waits until the session's last execution ended this long ago (a script's next run usually starts within it). */
  sessionGraceMs: number;
}

/** Every 5 s; 10 s per attempt; a 60 s lease; session-done after 60 s without a running execution. */
export const DEFAULT_NOTIFY: NotifyOptions = { scanMs: 5000, timeoutMs: 10_000, leaseMs: 60_000, retry: DEFAULT_RETRY, sessionGraceMs: 60_000 };

/** Silence after which a running execution is `stalled` unless a rule says otherwise (`--stall-after`). */
export const DEFAULT_STALL_MS = 30 * 60_000;

/**
 * The defaults with the tuning variables of docs/notifications.md applied (durations such as `200ms`):
 * `EXEC_TRACK_NOTIFY_SCAN`, `EXEC_TRACK_NOTIFY_TIMEOUT` (per attempt), `EXEC_TRACK_NOTIFY_RETRY` (first retry delay), `EXEC_TRACK_NOTIFY_RETRY_MAX`
 * (longest delay), `EXEC_TRACK_NOTIFY_GIVE_UP`, `EXEC_TRACK_NOTIFY_LEASE`, `EXEC_TRACK_NOTIFY_SESSION_GRACE`. Meant for tests and for
 * receivers that need gentler or faster retries.
 * @throws ExecTrackError USAGE for a value that is not a duration.
 */
export function notifyOptions(env: NodeJS.ProcessEnv): NotifyOptions {
  const read = (name: string, fallback: number) => (env[name] ? parseDuration(env[name], name) : fallback);
  const d = DEFAULT_NOTIFY;
  return {
    scanMs: Math.max(50, read('EXEC_TRACK_NOTIFY_SCAN', d.scanMs)),
    timeoutMs: read('EXEC_TRACK_NOTIFY_TIMEOUT', d.timeoutMs),
    leaseMs: read('EXEC_TRACK_NOTIFY_LEASE', d.leaseMs),
    retry: {
      baseMs: read('EXEC_TRACK_NOTIFY_RETRY', d.retry.baseMs),
      capMs: read('EXEC_TRACK_NOTIFY_RETRY_MAX', d.retry.capMs),
      giveUpMs: read('EXEC_TRACK_NOTIFY_GIVE_UP', d.retry.giveUpMs),
    },
    sessionGraceMs: read('EXEC_TRACK_NOTIFY_SESSION_GRACE', d.sessionGraceMs),
  };
}
