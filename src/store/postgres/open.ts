import { systemClock, type Clock } from '../../clock.js';
import { DEFAULT_LINE_QUOTA } from '../open.js';
import { createPool, connectError, DEFAULT_POOL_SIZE } from './connection.js';
import { migrate } from './migrations.js';
import { PostgresStore } from './postgres-store.js';

export { connectError };

/** Options of {@link openPostgresStore}. */
export interface OpenPostgresOptions {
  /** Stored lines per execution (default 1 000 000, as on SQLite). */
  lineQuota?: number;
  /** Stamps `lastSeenAt` on ingest (default: the system clock). */
  clock?: Clock;
  /** Connections in this instance's pool (default {@link DEFAULT_POOL_SIZE}). */
  poolSize?: number;
  /** Where a connection that broke while idle is reported (default: ignored; the pool replaces it). */
  log?: (line: string) => void;
}

/**
 * Opens the PostgreSQL store at `url` (`postgres://…` or `postgresql://…`), checks that the
 * database answers and migrates it under an advisory lock (safe when several instances start at
 * once). Loaded lazily (`import()`), so node-postgres costs SQLite users nothing.
 * @throws ExecTrackError `STORE_ERROR` when the database cannot be reached or is of a newer schema.
 */
export async function openPostgresStore(url: string, options: OpenPostgresOptions = {}): Promise<PostgresStore> {
  const pool = createPool(url, options.poolSize ?? DEFAULT_POOL_SIZE, (error) =>
    options.log?.(`exec-track: a PostgreSQL connection broke (${error.message}); the pool opens a new one`),
  );
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectError(url, error);
  }
  return new PostgresStore(pool, { lineQuota: options.lineQuota ?? DEFAULT_LINE_QUOTA, clock: options.clock ?? systemClock }, () => pool.end());
}
