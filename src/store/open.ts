import { closeSync, openSync } from 'node:fs';
import { ensureDir } from '../config/paths.js';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { ExecTrackError } from '../errors.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';
import { DEFAULTS } from '../defaults.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * Stored lines per execution (issue 3 point 7; default 1 000 000): beyond it the first half and
   * a rolling last half are kept, and reads show one marker line for the dropped middle. Applies to
   * executions created by this store; each execution keeps the quota it was created with.
   */
  lineQuota?: number;
  /** Stamps `lastSeenAt` on ingest; the server passes its own clock (default: the system clock). */
  clock?: Clock;
}

/**
 * Opens the store for a reader (`report`): like {@link openStore}, but when the disk is too full
 * for the settings and checkpoints an open writes (SQLITE_FULL), opens the existing file read-only
 * instead, so what is stored can still be shown (issue 9 point 7). Writes then throw SQLITE_READONLY.
 * @throws ExecTrackError `STORE_ERROR` as {@link openStore}.
 */
export async function openReadable(path: string): Promise<Store> {
  try {
    return await openStore(path);
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    try {
      return new SqliteStore(path, { lineQuota: DEFAULT_LINE_QUOTA, clock: systemClock, readonly: true });
    } catch (cause) {
      if (cause instanceof ExecTrackError) throw cause;
      throw new ExecTrackError(
        'STORE_ERROR',
        `Cannot read the exec-track database ${path} on a full disk (${(cause as Error).message}); free some space and retry.`,
        { cause },
      );
    }
  }
}

/** True for SQLite's "database or disk is full" (SQLITE_FULL), also as the cause of a STORE_ERROR. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'SQLITE_FULL' || (e as NodeJS.ErrnoException).code === 'ENOSPC') return true;
  }
  return false;
}

/** Default per-execution stored-line quota. */
export const DEFAULT_LINE_QUOTA = DEFAULTS.lineQuota;

/**
 * Opens (creating the file with mode 0600 and its parent directory with mode 0700 when missing)
 * the SQLite store at `path` and migrates it. Safe when several processes open the same fresh file at once.
 *
 * @throws ExecTrackError `USAGE` for a line quota that is not a positive integer;
 *   `STORE_ERROR` when the file cannot be created or opened.
 */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<Store> {
  const lineQuota = options.lineQuota ?? DEFAULT_LINE_QUOTA;
  if (!Number.isSafeInteger(lineQuota) || lineQuota < 1) {
    throw new ExecTrackError('USAGE', `The line quota must be a positive whole number of lines, got ${lineQuota}.`);
  }
  try {
    // the store holds every command and line: owner-only, like the spool and the config (SQLite
    // gives the -wal and -shm files the database file's mode)
    ensureDir(dirname(path));
    closeSync(openSync(path, 'a', 0o600));
  } catch (cause) {
    throw new ExecTrackError('STORE_ERROR', `Cannot create the directory of ${path}; check the path and its permissions.`, { cause });
  }
  try {
    return new SqliteStore(path, { lineQuota, clock: options.clock ?? systemClock });
  } catch (cause) {
    if (cause instanceof ExecTrackError) throw cause;
    throw new ExecTrackError(
      'STORE_ERROR',
      `Cannot open the exec-track database ${path} (${(cause as Error).message}); check that it is an exec-track database and writable.`,
      { cause },
    );
  }
}
