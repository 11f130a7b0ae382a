import envPaths from 'env-paths';
import { join } from 'node:path';

/**
 * The directory for config, the embedded database and the spool: `EXEC_TRACK_HOME`, else the
 * platform data dir (env-paths, e.g. `~/.local/share/exec-track` on Linux).
 */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EXEC_TRACK_HOME || envPaths('exec-track', { suffix: '' }).data;
}

/** Path of the embedded SQLite store. */
export function embeddedDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(homeDir(env), 'exec-track.db');
}

/** Directory of the write-ahead spool (server mode). */
export function spoolDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(homeDir(env), 'spool');
}
