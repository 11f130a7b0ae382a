import { renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureDir } from '../config/paths.js';
import type { ExecTrackError } from '../errors.js';

/** Folder under the spool directory where executions the server refused for good are set aside. */
export const REJECTED_DIR = 'rejected';

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
