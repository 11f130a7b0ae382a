import envPaths from 'env-paths';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ExecTrackError } from '../errors.js';

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

/**
 * Creates `path` and its missing parents with `mode` (default 0700: exec-track's files hold commands,
 * lines and credentials). Not `mkdirSync({ recursive: true })`: Node's recursive mkdir loops forever
 * where mkdir answers ENOENT under a parent that exists (e.g. a path inside /proc).
 * @throws the first mkdir error other than EEXIST (ENOENT, EACCES, ENOTDIR …).
 */
export function ensureDir(path: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let dir = resolve(path); !existsSync(dir); dir = dirname(dir)) {
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** CONFIG_ERROR for a file of the home that could not be written (the errno code named, e.g. EROFS). */
export function writeError(path: string, error: unknown): ExecTrackError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new ExecTrackError('CONFIG_ERROR', `Cannot write ${path} (${code}); make EXEC_TRACK_HOME writable or point it at a writable directory.`, {
    cause: error,
  });
}
