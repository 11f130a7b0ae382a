import pg from 'pg';
import { ExecTrackError } from '../../errors.js';

/** A node-postgres pool. */
export type Pool = pg.Pool;
/** One connection of the pool, or the listener's own. */
export type Client = pg.PoolClient | pg.Client;

/** OID of `bigint` (int8): every integer column here holds ms, seqs or counts within 2^53. */
const INT8 = 20;

/** Parses `bigint` as a JS number instead of node-postgres' default string (values stay below 2^53). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

/** Default pool size per server instance (docs/deploy.md: size × instances + one listener each must stay below `max_connections`). */
export const DEFAULT_POOL_SIZE = 10;

/**
 * Opens a pool on `url` (a `postgres://` or `postgresql://` connection string, node-postgres
 * syntax) of at most `size` connections. A connection that breaks while idle (PostgreSQL
 * restarted) is dropped from the pool and reported to `onIdleError`, never thrown.
 */
export function createPool(url: string, size: number, onIdleError: (error: Error) => void): Pool {
  const pool = new pg.Pool({ connectionString: url, max: size, types, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  pool.on('error', onIdleError);
  return pool;
}

/** A lone client outside the pool on `url` (the LISTEN connection). */
export function createClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types, connectionTimeoutMillis: 10_000 });
}

/**
 * Runs `work` in one transaction on a pooled connection (BEGIN … COMMIT, ROLLBACK on a throw).
 * A connection that failed mid-transaction is destroyed rather than returned to the pool.
 */
export async function transaction<T>(pool: Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // a checked-out client has no listener of the pool's: a connection terminated between two queries (a database restart)
  // would emit an unhandled 'error' and end the process (node-postgres docs, "Pool" → "error" event); the next query fails instead
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * The URL without its password, for messages: the one in `user:password@` and node-postgres's
 * `?password=` parameter (pg-connection-string reads both).
 */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return 'the given PostgreSQL URL';
  }
}

/**
 * The error for a database that cannot be reached or answered with an engine error at open:
 * one sentence naming the URL (password hidden) and what to check.
 */
export function connectError(url: string, cause: unknown): ExecTrackError {
  if (cause instanceof ExecTrackError) return cause;
  // PostgreSQL's own answer (severity set) names what is wrong (`role "x" does not exist`) and never
  // carries the password; a network error is named by its code (ECONNREFUSED)
  const answered = typeof (cause as { severity?: unknown }).severity === 'string';
  const detail = answered
    ? `${(cause as Error).message}, ${(cause as NodeJS.ErrnoException).code}`
    : ((cause as NodeJS.ErrnoException).code ?? (cause as Error).message);
  const check = answered ? 'check the user, password and database name in --db' : 'check --db and that the server accepts connections';
  return new ExecTrackError('STORE_ERROR', `Cannot open the PostgreSQL database ${redactedUrl(url)} (${detail}); ${check}.`, { cause });
}

/** Attempts of a store call that meets a transient engine error (connection lost, server restarting, deadlock). */
const ATTEMPTS = 3;
/** Seconds a client is told to wait (`Retry-After`) while the database is unreachable. */
const OUTAGE_RETRY_S = 5;

/**
 * Runs one store call, retrying it (after 100 ms, then 300 ms) when PostgreSQL failed in a way a
 * new attempt can fix: a connection that broke or was refused (a restart), the server shutting down
 * or starting up, a serialization failure or deadlock. Safe because every write of the store is
 * idempotent and runs in one transaction. What is still failing, and any other engine error,
 * leaves as ExecTrackError `STORE_ERROR` (the engine error as its `cause`): engine errors stay in
 * this folder, as SQLite's do in src/store/sqlite/.
 */
export async function engineSafe<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ExecTrackError) throw error;
      if (attempt < ATTEMPTS && isTransient(error)) {
        await new Promise((resolve) => setTimeout(resolve, attempt === 1 ? 100 : 300));
        continue;
      }
      const detail = (error as { code?: string }).code ?? (error as Error).message;
      // an outage (still transient after the retries) is 503 with Retry-After (RFC 9110 §15.6.4): clients keep their data and come back
      const outage = isTransient(error) ? { statusCode: 503, retryAfter: OUTAGE_RETRY_S } : {};
      throw new ExecTrackError('STORE_ERROR', `The PostgreSQL database failed (${detail}); retry shortly, and check the database if it persists.`, {
        cause: error,
        ...outage,
      });
    }
  }
}

/** Connection exceptions (class 08), operator intervention (57P01-57P03), serialization failure and deadlock, socket errors. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '40001', '40P01', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code);
}
