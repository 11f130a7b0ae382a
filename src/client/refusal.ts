import { renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureDir } from '../config/paths.js';
import { isExecTrackError, type ExecTrackError } from '../errors.js';

/** Folder under the spool directory where executions the server refused for good are set aside. */
export const REJECTED_DIR = 'rejected';

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

/**
 * Moves a spooled execution's directory to `<spool>/rejected/<execution-id>` (docs/reliability.md),
 * where `sync` and `run` no longer see it, and writes the server's answer next to it in `reason`.
 * Returns the new path.
 */
export function setAside(dir: string, error: ExecTrackError): string {
  const rejected = join(dir, '..', REJECTED_DIR);
  ensureDir(rejected);
  const target = join(rejected, basename(dir));
  renameSync(dir, target);
  writeFileSync(join(target, 'reason'), `${error.code} (HTTP ${error.statusCode}): ${error.message}\n`, { mode: 0o600 });
  return target;
}
