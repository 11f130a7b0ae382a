import type { ExecTrackError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { ClaimKeys } from './auth/claims.js';
import type { EventBus } from './events.js';
import type { Clock, ServerOptions } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import type { LiveStreams } from './ws/live.js';

/**
 * Where the server writes its own lines. Callers pass only text they wrote themselves: never
 * IPs, user agents, tokens, claim keys, ids, commands or report lines (issue 4 point 6).
 */
export type ServerLog = (line: string) => void;

/**
 * What every route and socket handler shares; built once by {@link buildApp}. `bus`, `live` and
 * `limiter` are interfaces with in-process implementations today, so shared ones (several server
 * instances) can replace them without touching routes or sockets.
 */
export interface ServerContext {
  store: Store;
  options: ServerOptions;
  clock: Clock;
  bus: EventBus;
  claims: ClaimKeys;
  limiter: RateLimiter;
  /** Executions with an open stream socket (the ghost sweeper counts it as contact). */
  live: LiveStreams;
  log: ServerLog;
  /** Logs the server's side of a 5xx once per window (server/errors.ts `faultLogger`); `where` names the place. */
  logFault: (apiError: ExecTrackError, where: string) => void;
}
