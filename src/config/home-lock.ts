import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExecTrackError } from '../errors.js';
import { ensureDir, homeDir, writeError } from './paths.js';

/** Options of {@link withHomeLock}. Times in ms. */
export interface HomeLockOptions {
  /** Give up waiting for a live holder after this long (default 30 000). */
  waitMs?: number;
  /** A lock file older than this is taken over even when its holder cannot be checked, e.g. another host on a shared home (default 60 000). */
  staleMs?: number;
}

/**
 * Runs `fn` while holding the lock `<name>.lock` under EXEC_TRACK_HOME, so processes sharing a home
 * take turns (issue 9: parallel first runs minting one user each). The lock is a file created with
 * O_EXCL holding `{pid, host}`; a holder that is gone (same host, pid not alive) or a file older than
 * `staleMs` is taken over. Waiters poll every 10–30 ms.
 *
 * Hand-rolled rather than proper-lockfile: importing that (graceful-fs, retry, signal-exit) cost
 * ≥ 43 ms on every `run` start here, more than the rest of the wrapper's start-up (issue 6, B4).
 * @throws ExecTrackError CONFIG_ERROR when the home is not writable or a live holder keeps the lock past `waitMs`.
 */
export async function withHomeLock<T>(env: NodeJS.ProcessEnv, name: string, fn: () => Promise<T>, options: HomeLockOptions = {}): Promise<T> {
  const home = homeDir(env);
  const path = join(home, `${name}.lock`);
  const deadline = Date.now() + (options.waitMs ?? 30_000);
  const staleMs = options.staleMs ?? 60_000;
  try {
    ensureDir(home);
  } catch (error) {
    throw writeError(home, error);
  }
  while (!tryCreate(path, home)) {
    if (takeOverIfStale(path, staleMs)) continue;
    if (Date.now() > deadline) {
      throw new ExecTrackError(
        'CONFIG_ERROR',
        `Another exec-track process has held ${path} for too long; retry, or delete that file if no exec-track is running.`,
      );
    }
    await sleep(10 + Math.random() * 20);
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Takes the lock file at `path` without waiting: a release function when this process now holds it
 * (a holder that is gone, or a file older than `staleMs`, is taken over first), undefined while a
 * live process holds it. `sync` claims each spool entry this way, so parallel syncs never upload
 * the same execution at once.
 * @throws ExecTrackError CONFIG_ERROR when the lock file cannot be created (not a busy lock).
 */
export function tryLock(path: string, staleMs = 60_000): (() => void) | undefined {
  const dir = dirname(path);
  if (!tryCreate(path, dir) && !(takeOverIfStale(path, staleMs) && tryCreate(path, dir))) return undefined;
  return () => rmSync(path, { force: true });
}

/** True when this process created the lock file; false when it exists. */
function tryCreate(path: string, home: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(home, error);
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes the lock file when its holder is gone; true when it did (or the file vanished meanwhile).
 * The file is removed only if it is still the one judged stale (same inode and mtime).
 */
function takeOverIfStale(path: string, staleMs: number): boolean {
  let before;
  let holder: { pid?: unknown; host?: unknown } = {};
  try {
    before = statSync(path);
    holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
  } catch {
    // vanished (released) or half-written by a holder that is creating it right now
    if (!before) return true;
  }
  const age = Date.now() - before.mtimeMs;
  const dead = holder.host === hostname() && typeof holder.pid === 'number' && !alive(holder.pid);
  // a file without a holder is only stale once old: its creator may be writing it right now
  if (!dead && age <= staleMs) return false;
  try {
    const now = statSync(path);
    if (now.ino !== before.ino || now.mtimeMs !== before.mtimeMs) return false;
    // recursive: releases before issue 9 used a directory as the session-creation lock
    rmSync(path, { force: true, recursive: true });
  } catch {
    // released meanwhile, or not removable (then waiting ends at the deadline)
  }
  return !existsSync(path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
