import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ExecTrackError } from '../../errors.js';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/** How long a writer waits for another process's lock before SQLITE_BUSY (ms). */
const BUSY_TIMEOUT_MS = 10_000;
const RETRY_LIMIT_MS = 30_000;

/** better-sqlite3's compiled addon, where its install script (prebuild-install or node-gyp) puts it. */
const ADDON = 'better-sqlite3/build/Release/better_sqlite3.node';
let addon: object | null | undefined;

/**
 * better-sqlite3's compiled addon, loaded here, or null to let better-sqlite3 look for it. Its own
 * lookup (the `bindings` package) loads two more packages and probes a dozen paths: ~4 ms of every
 * `run`'s start (B4); the first `createRequire().resolve` of a start costs ~4.5 ms too, so the file is
 * looked for as `require` would find it (better-sqlite3 has no `exports` map): in the nearest
 * `node_modules` up from this file, with `resolve` only where that finds none (NODE_PATH, say).
 */
function betterSqliteAddon(): object | null {
  if (addon === undefined) {
    try {
      const module = { exports: {} };
      process.dlopen(module, addonPath());
      addon = module.exports;
    } catch {
      addon = null;
    }
  }
  return addon;
}

/** Where {@link ADDON} is. @throws Error when `require` would not find it either. */
function addonPath(): string {
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here); dirname(dir) !== dir; dir = dirname(dir)) {
    const path = join(dir, 'node_modules', ADDON);
    if (existsSync(path)) return path;
  }
  return createRequire(here).resolve(ADDON);
}

/**
 * Opens the SQLite file with the settings every connection needs: a busy timeout (8 parallel
 * `run`s share one embedded file), incremental auto-vacuum (must precede the first table; retention
 * later runs `PRAGMA incremental_vacuum`), WAL, `synchronous=NORMAL` (durable across process
 * crashes, which is what WAL promises; an OS crash may lose the last commits), a larger WAL
 * auto-checkpoint and foreign keys. `readonly` opens an existing file for reading only, with none
 * of those settings (they write): what a reader falls back to when the disk is full.
 *
 * @throws ExecTrackError `STORE_ERROR` when the file cannot be opened.
 */
export function openConnection(path: string, { readonly = false } = {}): Db {
  let db: Db;
  try {
    // (better-sqlite3 takes the loaded addon as well as a path, lib/database.js; its typings know only the path)
    const nativeBinding = (betterSqliteAddon() ?? undefined) as string | undefined;
    db = new Database(path, { readonly, fileMustExist: readonly, nativeBinding });
  } catch (cause) {
    throw new ExecTrackError('STORE_ERROR', `Cannot open the database ${path}; check that the directory is writable.`, { cause });
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // a reader on a full disk (issue 9 point 7): every setting below writes
  if (readonly) return db;
  retryBusy(() => db.pragma('auto_vacuum = INCREMENTAL'));
  retryBusy(() => db.pragma('journal_mode = WAL'));
  db.pragma('synchronous = NORMAL');
  // Checkpoint every ~32 MB of WAL rather than 4 MB: 8x fewer fsync pairs during a big ingest,
  // which measured faster for 1M-line ingests (issue 6 B2).
  db.pragma('wal_autocheckpoint = 8000');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Runs `work`, retrying while SQLite answers SQLITE_BUSY/SQLITE_LOCKED: switching a fresh file to
 * WAL and starting the first migration can fail at once (without the busy handler) when several
 * processes race on it.
 */
export function retryBusy<T>(work: () => T): T {
  const deadline = Date.now() + RETRY_LIMIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      sleepSync(Math.min(5 * attempt, 100) + Math.random() * 10);
    }
  }
}

/** Attempts at a write that meets another process's write lock, ~10-40 ms apart (about 5 s in all). */
const BUSY_ATTEMPTS = 200;

/**
 * Runs the write `work` (a whole transaction), retrying without blocking while SQLite answers
 * SQLITE_BUSY beyond its busy timeout: parallel runs share one embedded file, and a lock held by
 * another writer is a reason to wait, never to lose lines or leave `Running`. A busy transaction
 * rolled back, so running it again is safe. Engine errors stay in this folder (issue 10 point 3).
 */
export async function writeWhenFree<T>(work: () => T): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if (attempt >= BUSY_ATTEMPTS || !isBusy(error)) throw error;
      await sleep(10 + Math.random() * 30);
    }
  }
}

function isBusy(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) return true;
    if (e.message.includes('database is locked')) return true;
  }
  return false;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Wraps `fn` in a write transaction that takes the write lock up front (`BEGIN IMMEDIATE`): a
 * deferred transaction that reads and then writes cannot wait for another process's commit (it
 * fails with SQLITE_BUSY at once), an immediate one waits through the busy timeout.
 */
export function writeTransaction<A extends unknown[], R>(db: Db, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args) => tx.immediate(...args);
}
