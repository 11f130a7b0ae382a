import { retryBusy, type Db } from './connection.js';

/**
 * Schema versions, applied in order; `PRAGMA user_version` records how many ran. Append only:
 * never edit a migration that has shipped.
 *
 * Layout notes (why): executions get a small integer `num` so `reports` keys on (integer,
 * integer); it is a WITHOUT ROWID table clustered on (exec, seq), so an ingest batch is an append
 * at the end of one B-tree and no secondary index is maintained. `reports.flags`: bit 0 stderr,
 * bit 1 partial, bit 2 truncated. Metric points are stored as chunks: one row per series per ingest
 * batch whose `points` blob is little-endian float64 quadruples (step, seq, ts, value) in arrival
 * order — 3 M points cost a few thousand rows instead of 3 M (a row per point was 5x slower at
 * ingest), NaN survives (SQLite turns a NaN REAL into NULL), and reading a series is one range
 * read. Children of executions are deleted by the store, not by foreign keys, so ingest pays no
 * parent lookup per row.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    owner_id TEXT
  );
  CREATE INDEX sessions_by_owner ON sessions (owner_id, created_at);
  CREATE INDEX sessions_by_title ON sessions (title, created_at);
  CREATE TABLE executions (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    name TEXT,
    command TEXT NOT NULL,
    cwd TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER,
    state TEXT NOT NULL,
    exit_code INTEGER,
    signal TEXT,
    reason TEXT,
    started_at INTEGER,
    ended_at INTEGER,
    last_seen_at INTEGER,
    metrics_enabled INTEGER NOT NULL,
    metrics_pattern TEXT,
    line_quota INTEGER NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT -1,
    line_count INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX executions_by_session ON executions (session_id, started_at);
  CREATE INDEX executions_by_start ON executions (started_at);
  CREATE INDEX executions_running ON executions (state) WHERE state = 'Running';
  CREATE TABLE reports (
    exec INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    flags INTEGER NOT NULL,
    text TEXT NOT NULL,
    byte_length INTEGER,
    PRIMARY KEY (exec, seq)
  ) WITHOUT ROWID;
  CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    exec INTEGER NOT NULL,
    key TEXT NOT NULL,
    last REAL,
    min REAL,
    max REAL,
    count INTEGER NOT NULL,
    last_step INTEGER NOT NULL,
    UNIQUE (exec, key)
  );
  CREATE TABLE metric_chunks (
    id INTEGER PRIMARY KEY,
    exec INTEGER NOT NULL,
    series INTEGER NOT NULL,
    points BLOB NOT NULL
  );
  CREATE INDEX metric_chunks_by_series ON metric_chunks (series, id);
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the file to {@link SCHEMA_VERSION}. Safe when many processes open a fresh file at once:
 * the version is re-read inside a `BEGIN IMMEDIATE` transaction (one writer at a time), so each
 * migration runs exactly once; SQLITE_BUSY is retried.
 */
export function migrate(db: Db): void {
  if (version(db) >= SCHEMA_VERSION) return;
  retryBusy(() => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const current = version(db);
      for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
      if (current < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  });
}

function version(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
