import { isExecTrackError, type ExecTrackError } from '../errors.js';

/**
 * True when the server refused a request for good: an answer of 4xx other than 401 (the client
 * renews its claim key), 408 and 429 (wait and retry). Sending the same request again can never
 * succeed (a title over the limit, a session that does not exist or belongs to another user, a
 * session's execution limit). 5xx answers and network failures are worth retrying; callers that
 * recreate a lost execution on 404 decide that before asking this.
 */
export function isRefusedForGood(error: unknown): error is ExecTrackError {
  if (!isExecTrackError(error)) return false;
  const status = error.statusCode;
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429 && error.code !== 'SERVER_UNREACHABLE';
}
